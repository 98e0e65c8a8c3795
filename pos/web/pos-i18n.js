// Texts of the web POS in the store's languages. The page takes the store's language
// (<body data-lang>); "{name}" placeholders are filled by POS_T. Codes from the API stay codes
// for logic; the cashier reads these sentences.
(function () {
  "use strict";
  var T = {
    en: {print_dup_failed: "The duplicate on printer {printer} may not have printed completely. If no complete copy came out, press Reprint again: it makes a new duplicate with the next number.", print_failed: "A print job on printer {printer} could not be printed.", ok: "OK", language: "Language", dev_paper_out: "Printer {name} is out of paper: load a roll; receipts wait and print then.", dev_paper_low: "Printer {name}: the paper is running low.", dev_cover_open: "Printer {name}: the cover is open.", dev_reconnecting: "{name} is reconnecting…", dev_failed: "{name} does not answer: call the manager.", dev_drawer_open: "The cash drawer ({name}) is open.", dev_other: "{name}: {state}", welcome: "Welcome", thanks: "Thank you!", display_off: "Not connected to a till: type the pairing code the till shows under “Customer display”, or log in on the lane's POS screen in this browser.", search: "Search by name", no_match: "No product matches “{q}”.", saving: "You save", m_prepaid: "prepaid", m_other: "other", receipts: "Receipts", rcp_h: "Reprint or refund a receipt", rcp_no: "Receipt number", find: "Find", refund_qty: "Refund qty", refund_by: "Refund by", reprint: "Reprint", refund: "Refund", refunded: "Refund {no}: {amount} to give back.", reprinted: "The copy was sent to the printer.", no_receipt: "No receipt {no}.", pick_refund: "Choose what to refund.", part_card: "Card part", part_voucher: "Voucher part", left: "{due} left to pay.", m_cash: "cash", m_card: "card", m_voucher: "voucher", offline: "offline — sales are kept and will sync", login_h: "POS login", token: "Terminal token", cashier: "Cashier",
      login: "Log in", logout: "Log out", till: "Till", code: "Code", item: "Item", qty: "Qty", price: "Price", amount: "Amount",
      void: "Void line", total: "Total", vat: "VAT", cashdue: "Cash due", cash_given: "Cash given", pay_cash: "Pay cash",
      pay_card: "Pay by card", loyalty: "Loyalty card", orders_h: "Click & collect", orders_show: "Open orders", change: "Change",
      receipt: "Receipt", new_sale: "New sale", exact: "Exact", open_h: "Open the till: count the float", or_sum: "or type the total",
      float: "Float", open_btn: "Open the till", mov_h: "Cash in and out", kind: "Kind", pay_in: "Pay in", pay_out: "Pay out",
      drop: "Safe drop", reason: "Reason", record: "Record", x_h: "X report", method: "Method", sales: "Sales", refunds: "Refunds",
      moves: "In/\u200bout", expected: "Expected", counted: "Counted", difference: "Difference", close_h: "Close the till: count the cash",
      close_btn: "Close the till (Z)", print: "Print", back: "Back to the sale", st_open: "open", st_implicit: "open (no float counted)",
      st_closed: "closed", z_h: "Z report no. {n}: till closed", printed: "The report was sent to the printer.",
      mov_done: "{kind} of {amount} recorded.", x_sum: "{n} sales, {gross}; {r} refunds, {rg}",
      empty_card: "The basket is empty: scan an item before taking a card payment.", empty: "The basket is empty.",
      type_cash: "Type the cash given.", paying: "The payment is being sent: wait.",
      no_answer: "The agent does not answer: retrying the same sale ({n})…", gave_up: "Still no answer: press Pay again — the sale cannot be sent twice.",
      weighed_qty: "{name} is sold by weight: weigh it again instead of changing the quantity.",
      embedded_qty: "{name} is charged by its label's weight or price: scan another label to sell another.",
      weight_required: "{name} is sold by weight: type grams*code, e.g. 500*{code}.", unknown_code: "Unknown code {code}.",
      inactive: "{name} ({code}) is no longer sold.", embedded_zero: "The label of line {line} shows 0: weigh or price the item again.",
      payments_short: "{due} still to pay.", change_too_large: "Over {max} in change: check the cash amount.", till_not_open: "No till session is open on this lane: open the till first.",
      till_open: "A till session is already open on this lane.", reason_required: "The difference is over {max}: give a reason.",
      need_amount: "Type an amount above zero.", need_reason: "Give a reason.", handed: "Order {ref} handed over to {name}.",
      sell_order: "Order {ref} for {name}: take payment.", no_orders: "no open orders", paid: "paid", to_pay: "to pay",
      hand_over: "Hand over", sell: "Sell", vat_line: "VAT {rate}%: {tax} of {gross}", error: "Something went wrong ({code}).",
      unreadable: "Unreadable scan: scan again.", rt_pending: "RT: being registered…",
      rt_registered: "RT: document {doc} of Z {z}", rt_failed: "RT refused the document: {error}"},
    it: {print_dup_failed: "Il duplicato sulla stampante {printer} potrebbe non essere stato stampato per intero. Se non è uscita una copia completa, premi di nuovo Ristampa: si crea un nuovo duplicato con il numero successivo.", print_failed: "Una stampa sulla stampante {printer} non è stata eseguita.", ok: "OK", language: "Lingua", dev_paper_out: "La stampante {name} è senza carta: inserisci un rotolo; gli scontrini attendono e saranno stampati.", dev_paper_low: "Stampante {name}: la carta sta per finire.", dev_cover_open: "Stampante {name}: il coperchio è aperto.", dev_reconnecting: "{name} si sta ricollegando…", dev_failed: "{name} non risponde: chiama il responsabile.", dev_drawer_open: "Il cassetto ({name}) è aperto.", dev_other: "{name}: {state}", welcome: "Benvenuti", thanks: "Grazie!", display_off: "Non collegato a una cassa: scrivi il codice che la cassa mostra in “Display cliente”, oppure accedi alla cassa di questa postazione in questo browser.", search: "Cerca per nome", no_match: "Nessun articolo corrisponde a «{q}».", saving: "Risparmi", m_prepaid: "prepagato", m_other: "altro", receipts: "Scontrini", rcp_h: "Ristampa o rimborsa uno scontrino", rcp_no: "Numero dello scontrino", find: "Cerca", refund_qty: "Qtà da rimborsare", refund_by: "Rimborso in", reprint: "Ristampa", refund: "Rimborsa", refunded: "Reso {no}: {amount} da restituire.", reprinted: "La copia è stata inviata alla stampante.", no_receipt: "Nessuno scontrino {no}.", pick_refund: "Scegli cosa rimborsare.", part_card: "Parte con carta", part_voucher: "Parte con buono", left: "Restano {due} da pagare.", m_cash: "contanti", m_card: "carta", m_voucher: "buono", offline: "non in linea — le vendite sono conservate e saranno sincronizzate", login_h: "Accesso cassa", token: "Token del terminale",
      cashier: "Cassiere", login: "Accedi", logout: "Esci", till: "Cassa", code: "Codice", item: "Articolo", qty: "Qtà", price: "Prezzo",
      amount: "Importo", void: "Annulla riga", total: "Totale", vat: "IVA", cashdue: "Da pagare in contanti", cash_given: "Contanti ricevuti",
      pay_cash: "Paga in contanti", pay_card: "Paga con carta", loyalty: "Carta fedeltà", orders_h: "Click & collect", orders_show: "Ordini aperti",
      change: "Resto", receipt: "Scontrino", new_sale: "Nuova vendita", exact: "Importo esatto", open_h: "Apri la cassa: conta il fondo cassa",
      or_sum: "oppure scrivi il totale", float: "Fondo cassa", open_btn: "Apri la cassa", mov_h: "Versamenti e prelievi", kind: "Tipo",
      pay_in: "Versamento", pay_out: "Prelievo", drop: "Versamento in cassaforte", reason: "Motivo", record: "Registra", x_h: "Lettura X",
      method: "Metodo", sales: "Vendite", refunds: "Resi", moves: "Entrate/\u200buscite", expected: "Atteso", counted: "Contato", difference: "Differenza",
      close_h: "Chiudi la cassa: conta i contanti", close_btn: "Chiudi la cassa (Z)", print: "Stampa", back: "Torna alla vendita",
      st_open: "aperta", st_implicit: "aperta (fondo non contato)", st_closed: "chiusa", z_h: "Chiusura Z n. {n}: cassa chiusa",
      printed: "Il rapporto è stato inviato alla stampante.", mov_done: "{kind} di {amount} registrato.", x_sum: "{n} vendite, {gross}; {r} resi, {rg}",
      empty_card: "Il carrello è vuoto: scansiona un articolo prima del pagamento con carta.", empty: "Il carrello è vuoto.",
      type_cash: "Scrivi i contanti ricevuti.", paying: "Pagamento in corso: attendi.",
      no_answer: "L'agente non risponde: riprovo la stessa vendita ({n})…", gave_up: "Ancora nessuna risposta: premi di nuovo Paga — la vendita non può essere registrata due volte.",
      weighed_qty: "{name} si vende a peso: pesalo di nuovo invece di cambiare la quantità.",
      embedded_qty: "{name} si paga secondo il peso o il prezzo della sua etichetta: scansiona un'altra etichetta per venderne un altro.",
      weight_required: "{name} si vende a peso: scrivi grammi*codice, per esempio 500*{code}.", unknown_code: "Codice sconosciuto {code}.",
      inactive: "{name} ({code}) non è più in vendita.", embedded_zero: "L'etichetta della riga {line} indica 0: pesa o prezza di nuovo l'articolo.",
      payments_short: "Mancano {due}.", change_too_large: "Resto oltre {max}: controlla l'importo in contanti.", till_not_open: "Nessuna cassa aperta su questa postazione: apri prima la cassa.",
      till_open: "Una sessione di cassa è già aperta su questa postazione.", reason_required: "La differenza supera {max}: indica un motivo.",
      need_amount: "Scrivi un importo maggiore di zero.", need_reason: "Indica un motivo.", handed: "Ordine {ref} consegnato a {name}.",
      sell_order: "Ordine {ref} di {name}: incassa.", no_orders: "nessun ordine aperto", paid: "pagato", to_pay: "da pagare",
      hand_over: "Consegna", sell: "Vendi", vat_line: "IVA {rate}%: {tax} su {gross}", error: "Qualcosa non ha funzionato ({code}).",
      unreadable: "Scansione illeggibile: riprova.", rt_pending: "RT: registrazione in corso…",
      rt_registered: "RT: documento {doc} dello Z {z}", rt_failed: "L'RT ha rifiutato il documento: {error}"},
    fr: {print_dup_failed: "Le duplicata sur l'imprimante {printer} n'a peut-être pas été imprimé en entier. Si aucune copie complète n'est sortie, appuyez de nouveau sur Réimprimer : un nouveau duplicata est créé avec le numéro suivant.", print_failed: "Une impression sur l'imprimante {printer} n'a pas pu être faite.", ok: "OK", language: "Langue", dev_paper_out: "L'imprimante {name} n'a plus de papier : mettez un rouleau ; les tickets attendent et seront imprimés.", dev_paper_low: "Imprimante {name} : le papier va manquer.", dev_cover_open: "Imprimante {name} : le capot est ouvert.", dev_reconnecting: "{name} se reconnecte…", dev_failed: "{name} ne répond pas : appelez le responsable.", dev_drawer_open: "Le tiroir-caisse ({name}) est ouvert.", dev_other: "{name} : {state}", welcome: "Bienvenue", thanks: "Merci !", display_off: "Pas relié à une caisse : saisissez le code que la caisse affiche sous « Afficheur client », ou connectez-vous à la caisse de ce poste dans ce navigateur.", search: "Chercher par nom", no_match: "Aucun article ne correspond à « {q} ».", saving: "Vous économisez", m_prepaid: "prépayé", m_other: "autre", receipts: "Tickets", rcp_h: "Réimprimer ou rembourser un ticket", rcp_no: "Numéro du ticket", find: "Chercher", refund_qty: "Qté à rembourser", refund_by: "Rembourser en", reprint: "Réimprimer", refund: "Rembourser", refunded: "Remboursement {no} : {amount} à rendre.", reprinted: "La copie a été envoyée à l'imprimante.", no_receipt: "Aucun ticket {no}.", pick_refund: "Choisissez ce qu'il faut rembourser.", part_card: "Part carte", part_voucher: "Part bon d'achat", left: "Reste {due} à payer.", m_cash: "espèces", m_card: "carte", m_voucher: "bon d'achat", offline: "hors ligne — les ventes sont gardées et seront synchronisées", login_h: "Connexion caisse", token: "Jeton du terminal",
      cashier: "Caissier", login: "Se connecter", logout: "Se déconnecter", till: "Caisse", code: "Code", item: "Article", qty: "Qté",
      price: "Prix", amount: "Montant", void: "Annuler la ligne", total: "Total", vat: "TVA", cashdue: "À payer en espèces",
      cash_given: "Espèces reçues", pay_cash: "Payer en espèces", pay_card: "Payer par carte", loyalty: "Carte de fidélité",
      orders_h: "Click & collect", orders_show: "Commandes ouvertes", change: "Rendu", receipt: "Ticket", new_sale: "Nouvelle vente",
      exact: "Montant exact", open_h: "Ouvrir la caisse : compter le fond de caisse", or_sum: "ou saisir le total", float: "Fond de caisse",
      open_btn: "Ouvrir la caisse", mov_h: "Entrées et sorties d'espèces", kind: "Type", pay_in: "Entrée", pay_out: "Sortie",
      drop: "Dépôt au coffre", reason: "Motif", record: "Enregistrer", x_h: "Rapport X", method: "Moyen", sales: "Ventes", refunds: "Remboursements",
      moves: "Entrées/\u200bsorties", expected: "Attendu", counted: "Compté", difference: "Écart", close_h: "Fermer la caisse : compter les espèces",
      close_btn: "Fermer la caisse (Z)", print: "Imprimer", back: "Retour à la vente", st_open: "ouverte", st_implicit: "ouverte (fond non compté)",
      st_closed: "fermée", z_h: "Rapport Z n° {n} : caisse fermée", printed: "Le rapport a été envoyé à l'imprimante.",
      mov_done: "{kind} de {amount} enregistrée.", x_sum: "{n} ventes, {gross} ; {r} remboursements, {rg}",
      empty_card: "Le panier est vide : scannez un article avant un paiement par carte.", empty: "Le panier est vide.",
      type_cash: "Saisissez les espèces reçues.", paying: "Paiement en cours : patientez.",
      no_answer: "L'agent ne répond pas : nouvel essai de la même vente ({n})…", gave_up: "Toujours pas de réponse : appuyez de nouveau sur Payer — la vente ne peut pas être envoyée deux fois.",
      weighed_qty: "{name} se vend au poids : pesez-le de nouveau au lieu de changer la quantité.",
      embedded_qty: "{name} est facturé selon le poids ou le prix de son étiquette : scannez une autre étiquette pour en vendre un autre.",
      weight_required: "{name} se vend au poids : saisissez grammes*code, par exemple 500*{code}.", unknown_code: "Code inconnu {code}.",
      inactive: "{name} ({code}) n'est plus vendu.", embedded_zero: "L'étiquette de la ligne {line} indique 0 : pesez ou étiquetez de nouveau l'article.",
      payments_short: "Il reste {due} à payer.", change_too_large: "Plus de {max} à rendre : vérifiez le montant en espèces.", till_not_open: "Aucune caisse ouverte sur ce poste : ouvrez d'abord la caisse.",
      till_open: "Une session de caisse est déjà ouverte sur ce poste.", reason_required: "L'écart dépasse {max} : indiquez un motif.",
      need_amount: "Saisissez un montant supérieur à zéro.", need_reason: "Indiquez un motif.", handed: "Commande {ref} remise à {name}.",
      sell_order: "Commande {ref} de {name} : encaissez.", no_orders: "aucune commande ouverte", paid: "payée", to_pay: "à payer",
      hand_over: "Remettre", sell: "Vendre", vat_line: "TVA {rate} % : {tax} sur {gross}", error: "Une erreur est survenue ({code}).",
      unreadable: "Scan illisible : scannez de nouveau.", rt_pending: "RT : enregistrement en cours…",
      rt_registered: "RT : document {doc} du Z {z}", rt_failed: "Le RT a refusé le document : {error}"},
    fi: {print_dup_failed: "Kaksoiskappale ei ehkä tulostunut kokonaan tulostimella {printer}. Jos kokonaista kopiota ei tullut, paina uudelleen Tulosta uudelleen: siitä tulee uusi kaksoiskappale seuraavalla numerolla.", print_failed: "Tulostustyötä tulostimella {printer} ei voitu tulostaa.", ok: "OK", language: "Kieli", dev_paper_out: "Tulostimesta {name} on paperi loppu: vaihda rulla; kuitit odottavat ja tulostuvat sitten.", dev_paper_low: "Tulostin {name}: paperi on loppumassa.", dev_cover_open: "Tulostin {name}: kansi on auki.", dev_reconnecting: "{name} yhdistää uudelleen…", dev_failed: "{name} ei vastaa: kutsu esihenkilö.", dev_drawer_open: "Kassalaatikko ({name}) on auki.", dev_other: "{name}: {state}", welcome: "Tervetuloa", thanks: "Kiitos!", display_off: "Ei yhteyttä kassaan: kirjoita koodi, jonka kassa näyttää kohdassa ”Asiakasnäyttö”, tai kirjaudu tämän kassan näytölle tässä selaimessa.", search: "Hae nimellä", no_match: "Mikään tuote ei vastaa hakua ”{q}”.", saving: "Säästät", m_prepaid: "ennakkomaksu", m_other: "muu", receipts: "Kuitit", rcp_h: "Tulosta uudelleen tai hyvitä kuitti", rcp_no: "Kuitin numero", find: "Hae", refund_qty: "Hyvitettävä määrä", refund_by: "Hyvitystapa", reprint: "Tulosta uudelleen", refund: "Hyvitä", refunded: "Hyvitys {no}: palauta {amount}.", reprinted: "Kopio lähetettiin tulostimelle.", no_receipt: "Kuittia {no} ei löydy.", pick_refund: "Valitse hyvitettävät tuotteet.", part_card: "Osa kortilla", part_voucher: "Osa lahjakortilla", left: "{due} vielä maksettavana.", m_cash: "käteinen", m_card: "kortti", m_voucher: "lahjakortti", offline: "ei yhteyttä — myynnit säilytetään ja synkronoidaan", login_h: "Kassan kirjautuminen", token: "Päätteen tunniste",
      cashier: "Kassanhoitaja", login: "Kirjaudu", logout: "Kirjaudu ulos", till: "Kassa", code: "Koodi", item: "Tuote", qty: "Määrä",
      price: "Hinta", amount: "Summa", void: "Poista rivi", total: "Yhteensä", vat: "ALV", cashdue: "Maksettava käteisellä",
      cash_given: "Saatu käteinen", pay_cash: "Maksa käteisellä", pay_card: "Maksa kortilla", loyalty: "Kanta-asiakaskortti",
      orders_h: "Nouto", orders_show: "Avoimet tilaukset", change: "Vaihtoraha", receipt: "Kuitti", new_sale: "Uusi myynti",
      exact: "Tasaraha", open_h: "Avaa kassa: laske vaihtokassa", or_sum: "tai kirjoita summa", float: "Vaihtokassa", open_btn: "Avaa kassa",
      mov_h: "Käteisen panot ja otot", kind: "Laji", pay_in: "Pano", pay_out: "Otto", drop: "Siirto kassakaappiin", reason: "Syy",
      record: "Kirjaa", x_h: "X-raportti", method: "Maksutapa", sales: "Myynnit", refunds: "Palautukset", moves: "Panot/\u200botot",
      expected: "Odotettu", counted: "Laskettu", difference: "Erotus", close_h: "Sulje kassa: laske käteinen", close_btn: "Sulje kassa (Z)",
      print: "Tulosta", back: "Takaisin myyntiin", st_open: "auki", st_implicit: "auki (vaihtokassaa ei laskettu)", st_closed: "suljettu",
      z_h: "Z-raportti nro {n}: kassa suljettu", printed: "Raportti lähetettiin tulostimelle.", mov_done: "{kind} {amount} kirjattu.",
      x_sum: "{n} myyntiä, {gross}; {r} palautusta, {rg}",
      empty_card: "Ostoskori on tyhjä: skannaa tuote ennen korttimaksua.", empty: "Ostoskori on tyhjä.",
      type_cash: "Kirjoita saatu käteinen.", paying: "Maksua lähetetään: odota.",
      no_answer: "Agentti ei vastaa: sama myynti yritetään uudelleen ({n})…", gave_up: "Ei vieläkään vastausta: paina Maksa uudelleen — myyntiä ei voi lähettää kahdesti.",
      weighed_qty: "{name} myydään painon mukaan: punnitse uudelleen määrän muuttamisen sijaan.",
      embedded_qty: "Tuote {name} veloitetaan etiketin painon tai hinnan mukaan: skannaa toinen etiketti myydäksesi toisen.",
      weight_required: "{name} myydään painon mukaan: kirjoita grammat*koodi, esim. 500*{code}.", unknown_code: "Tuntematon koodi {code}.",
      inactive: "{name} ({code}) ei ole enää myynnissä.", embedded_zero: "Rivin {line} etiketissä on 0: punnitse tai hinnoittele tuote uudelleen.",
      payments_short: "{due} vielä maksamatta.", change_too_large: "Vaihtorahaa yli {max}: tarkista käteissumma.", till_not_open: "Tällä kassalla ei ole avointa kassajaksoa: avaa kassa ensin.",
      till_open: "Tällä kassalla on jo avoin kassajakso.", reason_required: "Erotus on yli {max}: anna syy.",
      need_amount: "Kirjoita nollaa suurempi summa.", need_reason: "Anna syy.", handed: "Tilaus {ref} luovutettu: {name}.",
      sell_order: "Tilaus {ref}, {name}: ota maksu.", no_orders: "ei avoimia tilauksia", paid: "maksettu", to_pay: "maksamatta",
      hand_over: "Luovuta", sell: "Myy", vat_line: "ALV {rate} %: {tax} summasta {gross}", error: "Jokin meni vikaan ({code}).",
      unreadable: "Lukukelvoton skannaus: skannaa uudelleen.", rt_pending: "RT: rekisteröidään…",
      rt_registered: "RT: asiakirja {doc}, Z {z}", rt_failed: "RT hylkäsi asiakirjan: {error}"}
  };
  // Receipt QR codes, the scanner-scale and the display pairing (issue 13, issue 21).
  var X = {
    en: {qr_not_receipt: "This QR code is not a receipt of this store: nothing was added.",
      qr_unknown: "No sale of this store matches that receipt (another store's, or not made here): nothing was added.",
      qr_reading: "Receipt scanned: looking it up…",
      sc_unstable: "The scale is not steady: wait until the weight settles.",
      sc_negative: "The scale shows a negative weight: empty it and zero it.",
      sc_over_capacity: "The scale is over capacity: take the item off.",
      sc_not_added: "{name} was not added.",
      sc_not_zeroed: "The scale cannot find zero: empty it, restart or calibrate it.",
      sc_empty: "Put {name} on the scale.",
      sc_weighing: "Weighing {name}: {weight} kg…", sc_unavailable: "The scale does not answer: type grams*code, e.g. 500*{code}.",
      scale: "Scale", pair: "Customer display", pair_h: "Pair a customer display",
      pair_how: "On the tablet open /pos/display and type this code. It works once, for {min} minutes.",
      pair_new: "New code", pair_unpair: "Unpair all displays", pair_count: "Displays paired to this lane: {n}",
      pair_none: "No display paired to this lane.", pair_unpaired: "{n} display(s) unpaired.",
      pair_enter: "Pairing code (6 digits, shown on the till)", pair_go: "Pair", pair_bad: "That code is wrong or has expired: ask the cashier for a new one.",
      pair_slow: "Too many wrong codes: wait a minute.", pair_ok: "Paired to {term}."},
    it: {qr_not_receipt: "Questo QR non è uno scontrino di questo negozio: non è stato aggiunto nulla.",
      qr_unknown: "Nessuna vendita di questo negozio corrisponde allo scontrino (è di un altro negozio o non è stato fatto qui): non è stato aggiunto nulla.",
      qr_reading: "Scontrino scansionato: lo cerco…",
      sc_unstable: "La bilancia non è stabile: attendi che il peso si fermi.",
      sc_negative: "La bilancia indica un peso negativo: svuotala e azzerala.",
      sc_over_capacity: "La bilancia è oltre la portata: togli l'articolo.",
      sc_not_added: "{name} non è stato aggiunto.",
      sc_not_zeroed: "La bilancia non trova lo zero: svuotala, riavviala o calibrala.",
      sc_empty: "Metti {name} sulla bilancia.",
      sc_weighing: "Pesatura di {name}: {weight} kg…", sc_unavailable: "La bilancia non risponde: scrivi grammi*codice, per esempio 500*{code}.",
      scale: "Bilancia", pair: "Display cliente", pair_h: "Collega un display cliente",
      pair_how: "Sul tablet apri /pos/display e scrivi questo codice. Vale una volta, per {min} minuti.",
      pair_new: "Nuovo codice", pair_unpair: "Scollega tutti i display", pair_count: "Display collegati a questa cassa: {n}",
      pair_none: "Nessun display collegato a questa cassa.", pair_unpaired: "{n} display scollegati.",
      pair_enter: "Codice di collegamento (6 cifre, sulla cassa)", pair_go: "Collega", pair_bad: "Il codice è errato o scaduto: chiedi un nuovo codice al cassiere.",
      pair_slow: "Troppi codici errati: attendi un minuto.", pair_ok: "Collegato a {term}."},
    fr: {qr_not_receipt: "Ce QR code n'est pas un ticket de ce magasin : rien n'a été ajouté.",
      qr_unknown: "Aucune vente de ce magasin ne correspond à ce ticket (autre magasin, ou pas fait ici) : rien n'a été ajouté.",
      qr_reading: "Ticket scanné : recherche…",
      sc_unstable: "La balance n'est pas stable : attendez que le poids se stabilise.",
      sc_negative: "La balance indique un poids négatif : videz-la et remettez-la à zéro.",
      sc_over_capacity: "La balance dépasse sa portée : retirez l'article.",
      sc_not_added: "{name} n'a pas été ajouté.",
      sc_not_zeroed: "La balance ne trouve pas le zéro : videz-la, redémarrez-la ou étalonnez-la.",
      sc_empty: "Posez {name} sur la balance.",
      sc_weighing: "Pesée de {name} : {weight} kg…", sc_unavailable: "La balance ne répond pas : saisissez grammes*code, par exemple 500*{code}.",
      scale: "Balance", pair: "Afficheur client", pair_h: "Associer un afficheur client",
      pair_how: "Sur la tablette, ouvrez /pos/display et saisissez ce code. Il sert une fois, pendant {min} minutes.",
      pair_new: "Nouveau code", pair_unpair: "Dissocier tous les afficheurs", pair_count: "Afficheurs associés à cette caisse : {n}",
      pair_none: "Aucun afficheur associé à cette caisse.", pair_unpaired: "{n} afficheur(s) dissocié(s).",
      pair_enter: "Code d'association (6 chiffres, affiché sur la caisse)", pair_go: "Associer", pair_bad: "Ce code est faux ou a expiré : demandez-en un nouveau au caissier.",
      pair_slow: "Trop de codes faux : attendez une minute.", pair_ok: "Associé à {term}."},
    fi: {qr_not_receipt: "Tämä QR-koodi ei ole tämän myymälän kuitti: mitään ei lisätty.",
      qr_unknown: "Kuittia vastaavaa myyntiä ei ole tässä myymälässä (toisen myymälän tai ei tehty täällä): mitään ei lisätty.",
      qr_reading: "Kuitti skannattu: haetaan…",
      sc_unstable: "Vaaka ei ole vakaa: odota, että paino asettuu.",
      sc_negative: "Vaaka näyttää negatiivista painoa: tyhjennä ja nollaa se.",
      sc_over_capacity: "Vaa'an kapasiteetti ylittyy: ota tuote pois.",
      sc_not_added: "{name} ei lisätty.",
      sc_not_zeroed: "Vaaka ei löydä nollaa: tyhjennä, käynnistä uudelleen tai kalibroi se.",
      sc_empty: "Aseta {name} vaa'alle.",
      sc_weighing: "Punnitaan {name}: {weight} kg…", sc_unavailable: "Vaaka ei vastaa: kirjoita grammat*koodi, esim. 500*{code}.",
      scale: "Vaaka", pair: "Asiakasnäyttö", pair_h: "Yhdistä asiakasnäyttö",
      pair_how: "Avaa tabletilla /pos/display ja kirjoita tämä koodi. Se toimii kerran, {min} minuuttia.",
      pair_new: "Uusi koodi", pair_unpair: "Irrota kaikki näytöt", pair_count: "Tähän kassaan yhdistettyjä näyttöjä: {n}",
      pair_none: "Tähän kassaan ei ole yhdistetty näyttöä.", pair_unpaired: "{n} näyttöä irrotettu.",
      pair_enter: "Yhdistämiskoodi (6 numeroa, näkyy kassalla)", pair_go: "Yhdistä", pair_bad: "Koodi on väärä tai vanhentunut: pyydä kassalta uusi.",
      pair_slow: "Liian monta väärää koodia: odota minuutti.", pair_ok: "Yhdistetty kassaan {term}."}
  };
  Object.keys(X).forEach(function (l) { Object.keys(X[l]).forEach(function (k) { T[l][k] = X[l][k]; }); });
  // The screen follows the store's language; a cashier may switch it for their session (kept in
  // sessionStorage, so the next cashier's login starts from the store's again). Money stays in the
  // store's format, as on the receipt.
  var store = document.body.getAttribute("data-lang");
  var lang = T[sessionStorage.getItem("pos_lang")] ? sessionStorage.getItem("pos_lang") : store;
  var texts = T[lang] || T.en;
  window.POS_T = function (key, args) {
    var s = texts[key] || T.en[key] || key;
    return s.replace(/\{(\w+)\}/g, function (_, k) { return args && args[k] !== undefined ? String(args[k]) : ""; });
  };
  function apply() {
    document.documentElement.lang = T[lang] ? lang : "en";
    Array.prototype.forEach.call(document.querySelectorAll("[data-t]"), function (el) {
      el.textContent = window.POS_T(el.getAttribute("data-t"));
    });
  }
  // POS_SETLANG switches the texts in place (the basket stays); "" goes back to the store's.
  window.POS_SETLANG = function (l) {
    if (l && !T[l]) { return; }
    if (l && l !== store) { sessionStorage.setItem("pos_lang", l); } else { sessionStorage.removeItem("pos_lang"); }
    lang = l || store; texts = T[lang] || T.en; apply();
    document.dispatchEvent(new Event("pos-lang"));
  };
  apply();
  var sel = document.getElementById("lang");
  if (sel) {
    sel.value = T[lang] ? lang : "en";
    sel.addEventListener("change", function () { window.POS_SETLANG(sel.value); });
  }
}());
