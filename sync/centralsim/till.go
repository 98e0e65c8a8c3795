package centralsim

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/storeagent/storeagent/pos"
)

// TillCheck is what central found checking a store's Z reports against the sales events it holds.
type TillCheck struct {
	// Closed is how many retail.till.closed events central holds (each Z once: events are
	// unique by id, and two Z events for one session are a failure).
	Closed int
	// Sales is how many sales events name one of those sessions.
	Sales int
	// Problems lists each Z whose figures differ from central's own sums, and any session with
	// two Zs or a Z number used twice on a terminal. Empty means every Z adds up.
	Problems []string
}

// CheckTill recomputes every closed session of store from the sales and refund events central
// received (those naming the session in till_session_id) and compares the sums with the Z the
// agent sent: the sales count and gross, the tax, the rounding, the refunds and each tender's
// sales and refunds. Pay-ins, pay-outs and drops are checked against the movement events.
func (s *Sim) CheckTill(ctx context.Context, store string) (TillCheck, error) {
	var c TillCheck
	evs, err := s.Received(ctx, store, "")
	if err != nil {
		return c, err
	}
	zs := map[string]pos.TillReport{}
	zNos := map[string]string{}
	type sums struct {
		sales, gross, tax, rounding, refunds, refundGross int64
		taken, refunded, in, out, drops                   map[string]int64
	}
	got := map[string]*sums{}
	of := func(id string) *sums {
		if got[id] == nil {
			got[id] = &sums{taken: map[string]int64{}, refunded: map[string]int64{}, in: map[string]int64{}, out: map[string]int64{}, drops: map[string]int64{}}
		}
		return got[id]
	}
	for _, r := range evs {
		var ev struct {
			Data json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(r.Payload, &ev); err != nil {
			return c, fmt.Errorf("event %s: %w", r.ID, err)
		}
		switch r.Type {
		case "retail.till.closed":
			var z pos.TillReport
			if err := json.Unmarshal(ev.Data, &z); err != nil {
				return c, fmt.Errorf("Z event %s: %w", r.ID, err)
			}
			if _, dup := zs[z.SessionID]; dup {
				c.Problems = append(c.Problems, fmt.Sprintf("session %s has two Z events", z.SessionID))
			}
			key := fmt.Sprintf("%s/%d", z.Terminal, z.ZNo)
			if other, dup := zNos[key]; dup && other != z.SessionID {
				c.Problems = append(c.Problems, fmt.Sprintf("Z %s is used by sessions %s and %s", key, other, z.SessionID))
			}
			zNos[key] = z.SessionID
			zs[z.SessionID] = z
		case "retail.sale.completed":
			var sale pos.Sale
			if err := json.Unmarshal(ev.Data, &sale); err != nil {
				return c, fmt.Errorf("sale event %s: %w", r.ID, err)
			}
			g := of(sale.TillSessionID)
			g.sales++
			g.gross += sale.TotalMinor
			g.tax += sale.TaxMinor
			g.rounding += sale.RoundingMinor
			for _, p := range sale.Payments {
				g.taken[p.Method] += p.AmountMinor
			}
			g.taken["cash"] -= sale.ChangeMinor
		case "retail.sale.refunded":
			var ref pos.Refund
			if err := json.Unmarshal(ev.Data, &ref); err != nil {
				return c, fmt.Errorf("refund event %s: %w", r.ID, err)
			}
			g := of(ref.TillSessionID)
			g.refunds++
			g.refundGross += ref.TotalMinor
			g.refunded[ref.Method] += ref.TotalMinor
		case "retail.till.movement":
			var m pos.TillMovement
			if err := json.Unmarshal(ev.Data, &m); err != nil {
				return c, fmt.Errorf("movement event %s: %w", r.ID, err)
			}
			g := of(m.SessionID)
			switch m.Kind {
			case pos.MovePayIn:
				g.in["cash"] += m.AmountMinor
			case pos.MovePayOut:
				g.out["cash"] += m.AmountMinor
			case pos.MoveDrop:
				g.drops["cash"] += m.AmountMinor
			}
		}
	}
	ids := make([]string, 0, len(zs))
	for id := range zs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	c.Closed = len(ids)
	for _, id := range ids {
		z, g := zs[id], of(id)
		c.Sales += int(g.sales)
		bad := func(what string, agent, central int64) {
			if agent != central {
				c.Problems = append(c.Problems, fmt.Sprintf("Z %s/%d (%s): %s %d, central's sum %d", z.Terminal, z.ZNo, id, what, agent, central))
			}
		}
		bad("sales.count", z.Sales.Count, g.sales)
		bad("sales.gross_minor", z.Sales.GrossMinor, g.gross)
		bad("sales.tax_minor", z.Sales.TaxMinor, g.tax)
		bad("sales.rounding_minor", z.Sales.RoundingMinor, g.rounding)
		bad("refunds.count", z.Refunds.Count, g.refunds)
		bad("refunds.gross_minor", z.Refunds.GrossMinor, g.refundGross)
		seen := map[string]bool{}
		for _, t := range z.Tenders {
			seen[t.Method] = true
			bad(t.Method+".sales_minor", t.SalesMinor, g.taken[t.Method])
			bad(t.Method+".refunds_minor", t.RefundsMinor, g.refunded[t.Method])
			bad(t.Method+".pay_in_minor", t.PayInMinor, g.in[t.Method])
			bad(t.Method+".pay_out_minor", t.PayOutMinor, g.out[t.Method])
			bad(t.Method+".drops_minor", t.DropsMinor, g.drops[t.Method])
		}
		for m, v := range g.taken {
			if !seen[m] && v != 0 {
				bad(m+".sales_minor", 0, v)
			}
		}
	}
	return c, nil
}
