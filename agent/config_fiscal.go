package agent

import (
	"fmt"
	"path/filepath"
	"regexp"
)

// FiscalConfig is the fiscal: key (CONTRACT.md wave 2, "Fiscal law"): which country's fiscal law
// the store follows. Only France (FR) is implemented; IT is refused until the RT printer driver exists.
type FiscalConfig struct {
	// Country is "" (no fiscal law: receipts say non-fiscal), FR or IT.
	Country string `yaml:"country"`
	// SIRET is the French establishment number (14 digits), printed on every receipt. FR only.
	SIRET string `yaml:"siret"`
	// NAF is the French activity code (APE), four digits and a letter such as 4711D. FR only.
	NAF string `yaml:"naf"`
	// KeyFile is the store's Ed25519 private key (PKCS#8 PEM); "" means fiscal_ed25519.pem in
	// data_dir, made at first start with mode 0600.
	KeyFile string `yaml:"key_file"`
	// Training puts the whole store in training mode: every record goes to the training chain
	// and receipts say "MODE ÉCOLE — FACTICE".
	Training bool `yaml:"training"`
}

var (
	configSIRETRe = regexp.MustCompile(`^[0-9]{14}$`)
	configNAFRe   = regexp.MustCompile(`^[0-9]{2}\.?[0-9]{2}[A-Z]$`)
)

// FiscalFR reports whether the French fiscal journal is on.
func (c *Config) FiscalFR() bool { return c.Fiscal.Country == "FR" }

// FiscalKeyFile is the store key's path: fiscal.key_file, or the default in data_dir.
func (c *Config) FiscalKeyFile() string {
	if c.Fiscal.KeyFile != "" {
		return c.Fiscal.KeyFile
	}
	return filepath.Join(c.DataDir, "fiscal_ed25519.pem")
}

// validateFiscal checks the fiscal: key.
func (c *Config) validateFiscal(ps *configProblems) {
	f := c.Fiscal
	switch f.Country {
	case "":
		for key, v := range map[string]string{"fiscal.siret": f.SIRET, "fiscal.naf": f.NAF, "fiscal.key_file": f.KeyFile} {
			if v != "" {
				ps.add(key, "set, but fiscal.country is empty (no fiscal law): set fiscal.country: FR or remove it")
			}
		}
		if f.Training {
			ps.add("fiscal.training", "true, but fiscal.country is empty: training mode is a fiscal (FR) feature")
		}
	case "FR":
		if !configSIRETRe.MatchString(f.SIRET) {
			ps.add("fiscal.siret", fmt.Sprintf("%q is not a SIRET: want 14 digits (required with fiscal.country FR)", f.SIRET))
		}
		if f.NAF != "" && !configNAFRe.MatchString(f.NAF) {
			ps.add("fiscal.naf", fmt.Sprintf("%q is not a NAF/APE code like 4711D", f.NAF))
		}
	case "IT":
		ps.add("fiscal.country", "IT (Registratore Telematico) is not implemented in this version; only FR is")
	default:
		ps.add("fiscal.country", fmt.Sprintf("%q is not one of \"\", FR, IT", f.Country))
	}
}
