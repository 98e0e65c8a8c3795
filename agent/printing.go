package agent

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"slices"

	"github.com/storeagent/storeagent/devices"
	"github.com/storeagent/storeagent/devices/escpos"
	firmwareprofiles "github.com/storeagent/storeagent/firmware-profiles"
	"github.com/storeagent/storeagent/pos"
	"github.com/storeagent/storeagent/pos/document"
)

// previewProfile is the printer model receipt previews use for a lane without a printer.
const previewProfile = "generic-80mm"

// printerProfiles loads the printer models, the config's profiles_dir overriding the built-in ones
// file by file, and returns each configured printer's profile by device name, plus the preview model.
func printerProfiles(cfg *Config) (map[string]escpos.Profile, escpos.Profile, error) {
	models, err := escpos.LoadProfiles(firmwareprofiles.FS, "printers")
	if err != nil {
		return nil, escpos.Profile{}, fmt.Errorf("printer profiles: %w", err)
	}
	if cfg.ProfilesDir != "" {
		if _, err := os.Stat(filepath.Join(cfg.ProfilesDir, "printers")); err == nil {
			own, err := escpos.LoadProfiles(os.DirFS(cfg.ProfilesDir), "printers")
			if err != nil {
				return nil, escpos.Profile{}, fmt.Errorf("profiles_dir printers: %w", err)
			}
			for id, p := range own {
				models[id] = p
			}
		}
	}
	byDevice := map[string]escpos.Profile{}
	for i, d := range cfg.Devices {
		if d.Type != "printer" {
			continue
		}
		p, ok := models[d.Profile]
		if !ok {
			return nil, escpos.Profile{}, fmt.Errorf("devices[%d].profile: no printer profile %q", i, d.Profile)
		}
		byDevice[d.Name] = p
	}
	return byDevice, models[previewProfile], nil
}

var (
	_ pos.Driver    = noPrinters{}
	_ pos.Driver    = (*devices.Printer)(nil)
	_ pos.Previewer = (*devices.Printer)(nil)
	_ pos.Driver    = (*devices.DemoPrinter)(nil)
	_ pos.Previewer = (*devices.DemoPrinter)(nil)
	_ pos.Previewer = previewModel{}
)

// previewModel draws receipt.png and report.png for lanes without a printer, as its profile
// prints.
type previewModel struct{ p escpos.Profile }

func (m previewModel) Preview(_ string, doc document.Document) (image.Image, error) {
	return escpos.RenderDocumentPNG(doc, m.p)
}

// noPrinters is the driver when no printer is configured: jobs for unknown printers are refused
// before they are stored, so it is only asked for names that do not exist.
type noPrinters struct{}

func (noPrinters) Has(string) bool { return false }

func (noPrinters) Render(name string, _ document.Document) ([]byte, error) {
	return nil, fmt.Errorf("printer %q is not configured", name)
}

func (noPrinters) Print(context.Context, string, []byte) error {
	return &devices.NotSentError{Err: errors.New("no printer is configured")}
}

// printDriver is the configured printers' driver: ESC/POS over the device manager's ports, or the
// caller's (the demo's virtual printer).
func (a *Agent) printDriver(profiles map[string]escpos.Profile) pos.Driver {
	switch {
	case a.opts.PrintDriver != nil:
		// The caller's driver stands in for the devices: they are as present as it is.
		if a.Devices != nil {
			for _, st := range a.Devices.States() {
				if st.Type == devices.TypePrinter {
					_ = a.Devices.SetState(st.Name, devices.StateConnected, "")
				}
			}
		}
		return a.opts.PrintDriver
	case a.Devices != nil && len(profiles) > 0:
		drv := devices.NewPrinter(a.Devices, profiles, devices.PrinterOptions{DrawerOpenWhen: a.drawerPolarity()})
		a.watchDrawers(drv, profiles)
		return drv
	default:
		return noPrinters{}
	}
}

// lateQueue lets pos.New take the print queue before it exists: the queue needs the device
// manager, which needs the service for scan lookups.
type lateQueue struct{ q *pos.PrintQueue }

func (l *lateQueue) Enqueue(ctx context.Context, tx *sql.Tx, saleID, printer string, drawer bool) (string, error) {
	return l.q.Enqueue(ctx, tx, saleID, printer, drawer)
}

func (l *lateQueue) EnqueueReport(ctx context.Context, tx *sql.Tx, doc, printer string, payload []byte) (string, error) {
	return l.q.EnqueueReport(ctx, tx, doc, printer, payload)
}

func (l *lateQueue) Wake() { l.q.Wake() }

// ReceiptOptions are the print options the config gives receipts: the store header, time zone,
// locale, currency, receipt link and, in France, the SIRET.
func ReceiptOptions(cfg *Config) pos.PrintOptions {
	return pos.PrintOptions{
		StoreName: cfg.Store.Name, StoreAddress: cfg.Store.Address, StoreVATID: cfg.Store.VATID,
		Timezone: cfg.Location(), Locale: cfg.Locale, Currency: cfg.Currency, ReceiptURL: cfg.Links.Receipt,
		SIRET: fiscalSIRET(cfg),
	}
}

// startPrinting builds the print queue and its routes and runs its worker with the agent.
func (a *Agent) startPrinting(late *lateQueue) error {
	profiles, preview, err := printerProfiles(a.cfg)
	if err != nil {
		return err
	}
	opts := ReceiptOptions(a.cfg)
	opts.Preview, opts.Registerer, opts.Logger, opts.Journal = previewModel{preview}, a.Metrics, a.opts.Logger, a.POSJournal()
	opts.OnFailed = a.printFailed
	q, err := pos.NewPrintQueue(a.DB, a.printDriver(profiles), opts)
	if err != nil {
		return fmt.Errorf("printing: %w", err)
	}
	late.q = q
	a.Printing = q
	pos.RegisterPrintRoutes(a.API, q)
	a.Add("printing", q)
	return nil
}

// PrintFailure is the POS event "print" for a job the queue gave up on: the screens of the lanes
// that print on that printer say so (a French duplicate that may be on paper: reprint if none came
// out, which makes a new duplicate).
type PrintFailure struct {
	JobID     string `json:"job_id"`
	SaleID    string `json:"sale_id"`
	Printer   string `json:"printer"`
	Kind      string `json:"kind"`
	Duplicate bool   `json:"duplicate"`
	Status    string `json:"status"`
	Reason    string `json:"reason"`
}

// printFailed publishes job's failure to the lanes that print on its printer.
func (a *Agent) printFailed(job pos.PrintJob) {
	if a.POS == nil {
		return
	}
	ev := pos.Event{Name: "print", Data: PrintFailure{JobID: job.JobID, SaleID: job.SaleID, Printer: job.Printer, Kind: job.Kind,
		Duplicate: job.Copy && job.Kind == "receipt" && a.POSJournal() != nil, Status: job.Status, Reason: job.LastError}}
	for _, t := range a.cfg.Terminals {
		if t.Printer == job.Printer || slices.Contains(t.Printers, job.Printer) {
			a.POS.Events().Publish(t.ID, ev)
		}
	}
}
