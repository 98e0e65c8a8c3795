package receipt

// messages returns the receipt and till report texts for a language (it, en, fr, fi), or nil
// for others.
func messages(lang string) map[string]string {
	switch lang {
	case "it":
		return map[string]string{
			"receipt_no": "Scontrino n.", "saving": "Risparmio", "vat_id": "P.IVA", "total": "TOTALE", "rounding": "Arrotondamento",
			"to_pay": "Da pagare", "change": "Resto", "vat": "IVA", "gross": "Lordo", "tax": "Imposta",
			"sale_id": "ID vendita", "cashier": "Cassiere", "terminal": "Cassa",
			"non_fiscal": "DOCUMENTO NON FISCALE", "copy": "COPIA",
			"cash": "Contanti", "card": "Carta", "voucher": "Buono", "prepaid": "Prepagato", "other": "Altro",
			// Till reports.
			"title_x": "LETTURA X", "title_z": "CHIUSURA Z", "title_day": "CHIUSURA GIORNALIERA",
			"z_no": "Z n.", "session_id": "ID sessione", "business_day": "Giornata",
			"opened": "Apertura", "closed": "Chiusura", "opened_by": "Aperta da", "closed_by": "Chiusa da", "implicit": "Sessione aperta da una vendita, senza fondo cassa contato",
			"float": "Fondo cassa", "sales": "VENDITE", "refunds": "RESI", "count": "Numero",
			"gross_total": "Totale IVA inclusa", "tax_total": "di cui IVA", "taxes_net": "IVA PER ALIQUOTA (AL NETTO DEI RESI)",
			"t_sales": "Incassato", "t_refunds": "Rimborsato", "pay_in": "Versamenti", "pay_out": "Prelievi",
			"drops": "Versamenti in cassaforte", "expected": "Atteso", "day_net": "Netto del giorno", "counted": "Contato",
			"not_counted": "non contato", "difference": "Differenza",
			"cash_count": "CONTEGGIO CONTANTI", "counted_total": "Totale contato", "reason": "Motivo",
			"sessions": "SESSIONI", "open": "aperta", "closed_status": "chiusa", "printed": "Stampato il",
			"report_non_fiscal": "DOCUMENTO NON FISCALE",
		}
	case "en":
		return map[string]string{
			"receipt_no": "Receipt no.", "saving": "You saved", "vat_id": "VAT no.", "total": "TOTAL", "rounding": "Rounding",
			"to_pay": "To pay", "change": "Change", "vat": "VAT", "gross": "Gross", "tax": "Tax",
			"sale_id": "Sale ID", "cashier": "Cashier", "terminal": "Till",
			"non_fiscal": "NON-FISCAL RECEIPT", "copy": "COPY",
			"cash": "Cash", "card": "Card", "voucher": "Voucher", "prepaid": "Prepaid", "other": "Other",
			// Till reports.
			"title_x": "X REPORT", "title_z": "Z REPORT", "title_day": "DAY REPORT",
			"z_no": "Z no.", "session_id": "Session ID", "business_day": "Business day",
			"opened": "Opened", "closed": "Closed", "opened_by": "Opened by", "closed_by": "Closed by", "implicit": "Session opened by a sale, no float counted",
			"float": "Float", "sales": "SALES", "refunds": "REFUNDS", "count": "Count",
			"gross_total": "Total incl. VAT", "tax_total": "of which VAT", "taxes_net": "VAT BY RATE (NET OF REFUNDS)",
			"t_sales": "Taken", "t_refunds": "Refunded", "pay_in": "Paid in", "pay_out": "Paid out",
			"drops": "Safe drops", "expected": "Expected", "day_net": "Net for the day", "counted": "Counted",
			"not_counted": "not counted", "difference": "Difference",
			"cash_count": "CASH COUNT", "counted_total": "Total counted", "reason": "Reason",
			"sessions": "SESSIONS", "open": "open", "closed_status": "closed", "printed": "Printed",
			"report_non_fiscal": "NON-FISCAL DOCUMENT",
		}
	case "fr":
		return map[string]string{
			"receipt_no": "Ticket n°", "saving": "Économie", "vat_id": "N° TVA", "total": "TOTAL", "rounding": "Arrondi",
			"to_pay": "À payer", "change": "Rendu", "vat": "TVA", "gross": "TTC", "tax": "Montant TVA",
			"sale_id": "ID vente", "cashier": "Caissier", "terminal": "Caisse",
			"non_fiscal": "TICKET NON FISCAL", "copy": "DUPLICATA",
			"cash": "Espèces", "card": "Carte", "voucher": "Bon d'achat", "prepaid": "Prépayé", "other": "Autre",
			// Till reports.
			"title_x": "LECTURE X", "title_z": "CLÔTURE Z", "title_day": "RAPPORT JOURNALIER",
			"z_no": "Z n°", "session_id": "ID session", "business_day": "Journée",
			"opened": "Ouverture", "closed": "Clôture", "opened_by": "Ouverte par", "closed_by": "Clôturée par", "implicit": "Session ouverte par une vente, sans fond de caisse compté",
			"float": "Fond de caisse", "sales": "VENTES", "refunds": "REMBOURSEMENTS", "count": "Nombre",
			"gross_total": "Total TTC", "tax_total": "dont TVA", "taxes_net": "TVA PAR TAUX (NETTE DES REMBOURSEMENTS)",
			"t_sales": "Encaissé", "t_refunds": "Remboursé", "pay_in": "Apports", "pay_out": "Retraits",
			"drops": "Remises au coffre", "expected": "Théorique", "day_net": "Net de la journée", "counted": "Compté",
			"not_counted": "non compté", "difference": "Écart",
			"cash_count": "COMPTAGE DES ESPÈCES", "counted_total": "Total compté", "reason": "Motif",
			"sessions": "SESSIONS", "open": "ouverte", "closed_status": "clôturée", "printed": "Imprimé le",
			"report_non_fiscal": "DOCUMENT NON FISCAL",
		}
	case "fi":
		return map[string]string{
			"receipt_no": "Kuitti nro", "saving": "Säästit", "vat_id": "ALV-nro", "total": "YHTEENSÄ", "rounding": "Pyöristys",
			"to_pay": "Maksettava", "change": "Vaihtoraha", "vat": "ALV", "gross": "Verollinen", "tax": "Vero",
			"sale_id": "Myyntitunnus", "cashier": "Myyjä", "terminal": "Kassa",
			"non_fiscal": "EI-FISKAALINEN KUITTI", "copy": "KOPIO",
			"cash": "Käteinen", "card": "Kortti", "voucher": "Arvoseteli", "prepaid": "Ennakkomaksu", "other": "Muu",
			// Till reports.
			"title_x": "X-RAPORTTI", "title_z": "Z-RAPORTTI", "title_day": "PÄIVÄRAPORTTI",
			"z_no": "Z-nro", "session_id": "Istuntotunnus", "business_day": "Myyntipäivä",
			"opened": "Avattu", "closed": "Suljettu", "opened_by": "Avaaja", "closed_by": "Sulkija", "implicit": "Istunto avattu myynnillä, vaihtokassaa ei laskettu",
			"float": "Vaihtokassa", "sales": "MYYNTI", "refunds": "PALAUTUKSET", "count": "Lukumäärä",
			"gross_total": "Yhteensä sis. ALV", "tax_total": "josta ALV", "taxes_net": "ALV VEROKANNOITTAIN (PALAUTUKSET VÄHENNETTY)",
			"t_sales": "Vastaanotettu", "t_refunds": "Palautettu", "pay_in": "Lisäykset kassaan",
			"pay_out": "Otot kassasta", "drops": "Siirrot kassakaappiin", "expected": "Laskennallinen", "day_net": "Päivän netto",
			"counted": "Laskettu", "not_counted": "ei laskettu", "difference": "Erotus",
			"cash_count": "KÄTEISEN LASKENTA", "counted_total": "Laskettu yhteensä", "reason": "Syy",
			"sessions": "ISTUNNOT", "open": "avoin", "closed_status": "suljettu", "printed": "Tulostettu",
			"report_non_fiscal": "EI-FISKAALINEN RAPORTTI",
		}
	}
	return nil
}
