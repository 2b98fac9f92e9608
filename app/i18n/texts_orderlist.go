package i18n

// orderListTexts: the Bestellingen list in the window, its CSV export,
// and deleting and cancelling orders from it.
var orderListTexts = map[string]text{
	"order.state.damaged": {"beschadigd", "damaged"},

	"order.list.col.number":    {"Nummer", "Number"},
	"order.list.col.kind":      {"Soort", "Kind"},
	"order.list.col.product":   {"Product", "Product"},
	"order.list.col.name":      {"Naam van de service / houder", "Service name / holder"},
	"order.list.col.state":     {"Status", "State"},
	"order.list.col.requester": {"Aangevraagd door", "Requested by"},
	"order.list.col.date":      {"Datum", "Date"},

	// The window's headers and product names, short enough for seven
	// columns in the default window (the CSV has the full ones).
	"order.list.head.name":                 {"Service / houder", "Service / holder"},
	"order.list.product.pkio-private":      {"PKIo PRIVATE", "PKIo PRIVATE"},
	"order.list.product.digipoort-private": {"PKIo Digipoort PRIVATE", "PKIo Digipoort PRIVATE"},
	"order.list.product.pkio-trial":        {"PKIo Trial", "PKIo Trial"},
	"order.list.product.certsign-ov":       {"certSIGN OV SSL", "certSIGN OV SSL"},
	"order.list.product.personal-card":     {"Persoonlijk, kaart of token", "Personal, card or token"},
	"order.list.product.personal-mobile":   {"Persoonlijk, mobiel", "Personal, mobile"},
	"order.list.product.group":             {"Groep", "Group"},
	"order.list.product.eseal-token":       {"eSeal, token", "eSeal, token"},
	"order.list.product.eseal-cloud":       {"eSeal, cloud", "eSeal, cloud"},

	"order.list.filter.open": {"Lopend (concept, geplaatst, ingediend)", "Open (draft, placed, submitted)"},
	"order.list.filter.all":  {"Alle", "All"},

	"order.list.count":         {"%d bestellingen", "%d orders"},
	"order.list.count.one":     {"%d bestelling", "%d order"},
	"order.list.damaged":       {"%d bestellingen zijn beschadigd en kunnen niet worden geopend; ze staan in de lijst met de reden.", "%d orders are damaged and cannot be opened; they are in the list with the reason."},
	"order.list.damaged.one":   {"%d bestelling is beschadigd en kan niet worden geopend; zij staat in de lijst met de reden.", "%d order is damaged and cannot be opened; it is in the list with the reason."},
	"order.list.empty":         {"Er zijn nog geen bestellingen. Een nieuwe bestelling begint u in het overzicht van een soort certificaat.", "There are no orders yet. You start a new order in the overview of a kind of certificate."},
	"order.list.empty_filter":  {"Geen bestellingen met dit filter.", "No orders match this filter."},
	"order.list.none_chosen":   {"Kies eerst een bestelling in de lijst.", "Choose an order in the list first."},
	"order.list.csv_name":      {"bestellingen.csv", "orders.csv"},
	"order.list.csv_saved":     {"%d bestellingen opgeslagen als %s\nin de map %s", "%d orders saved as %s\nin the folder %s"},
	"order.list.csv_saved.one": {"%d bestelling opgeslagen als %s\nin de map %s", "%d order saved as %s\nin the folder %s"},
	"order.list.delete_ask":    {"Concept %s (%s) wordt verwijderd. Wat erin is ingevuld, gaat verloren. Dit kan niet ongedaan worden gemaakt.", "Draft %s (%s) is deleted. What was entered in it is lost. This cannot be undone."},
	"order.list.cancel_ask":    {"Bestelling %s (%s) wordt geannuleerd. De ondertekende PDF blijft bewaard, maar de bestelling gaat niet naar de CA. Dit kan niet ongedaan worden gemaakt.", "Order %s (%s) is cancelled. The signed PDF is kept, but the order does not go to the CA. This cannot be undone."},
	"order.list.deleted":       {"Concept %s is verwijderd.", "Draft %s was deleted."},
	"order.list.cancelled":     {"Bestelling %s is geannuleerd.", "Order %s was cancelled."},

	"order.draft_not_yours":  {"concept %s is van %s; alleen de aanvrager kan het verder invullen", "draft %s belongs to %s; only the requester can continue it"},
	"order.delete_not_draft": {"alleen een concept kan worden verwijderd; deze bestelling is %s", "only a draft can be deleted; this order is %s"},
	"order.cancel_submitted": {"zij is al bij de CA ingediend; wat de CA besluit, legt u vast op de bevestigingspagina", "it was already submitted to the CA; what the CA decides is recorded on the confirmation page"},
}
