package receipt

// messages returns the receipt texts for a language (it, en, fr, fi), or nil for others.
func messages(lang string) map[string]string {
	switch lang {
	case "it":
		return map[string]string{
			"receipt_no": "Scontrino n.", "vat_id": "P.IVA", "total": "TOTALE", "rounding": "Arrotondamento",
			"to_pay": "Da pagare", "change": "Resto", "vat": "IVA", "gross": "Lordo", "tax": "Imposta",
			"sale_id": "ID vendita", "cashier": "Cassiere", "terminal": "Cassa",
			"non_fiscal": "DOCUMENTO NON FISCALE", "copy": "COPIA",
			"cash": "Contanti", "card": "Carta", "voucher": "Buono", "prepaid": "Prepagato", "other": "Altro",
		}
	case "en":
		return map[string]string{
			"receipt_no": "Receipt no.", "vat_id": "VAT no.", "total": "TOTAL", "rounding": "Rounding",
			"to_pay": "To pay", "change": "Change", "vat": "VAT", "gross": "Gross", "tax": "Tax",
			"sale_id": "Sale ID", "cashier": "Cashier", "terminal": "Till",
			"non_fiscal": "NON-FISCAL RECEIPT", "copy": "COPY",
			"cash": "Cash", "card": "Card", "voucher": "Voucher", "prepaid": "Prepaid", "other": "Other",
		}
	case "fr":
		return map[string]string{
			"receipt_no": "Ticket n°", "vat_id": "N° TVA", "total": "TOTAL", "rounding": "Arrondi",
			"to_pay": "À payer", "change": "Rendu", "vat": "TVA", "gross": "TTC", "tax": "Montant TVA",
			"sale_id": "ID vente", "cashier": "Caissier", "terminal": "Caisse",
			"non_fiscal": "TICKET NON FISCAL", "copy": "DUPLICATA",
			"cash": "Espèces", "card": "Carte", "voucher": "Bon d'achat", "prepaid": "Prépayé", "other": "Autre",
		}
	case "fi":
		return map[string]string{
			"receipt_no": "Kuitti nro", "vat_id": "ALV-nro", "total": "YHTEENSÄ", "rounding": "Pyöristys",
			"to_pay": "Maksettava", "change": "Vaihtoraha", "vat": "ALV", "gross": "Verollinen", "tax": "Vero",
			"sale_id": "Myyntitunnus", "cashier": "Myyjä", "terminal": "Kassa",
			"non_fiscal": "EI-FISKAALINEN KUITTI", "copy": "KOPIO",
			"cash": "Käteinen", "card": "Kortti", "voucher": "Arvoseteli", "prepaid": "Ennakkomaksu", "other": "Muu",
		}
	}
	return nil
}
