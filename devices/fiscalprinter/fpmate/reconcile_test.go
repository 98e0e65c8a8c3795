package fpmate

import (
	"context"
	"testing"
	"time"

	"github.com/storeagent/storeagent/devices/fiscalprinter"
	"github.com/storeagent/storeagent/devices/fiscalprinter/fpmateemu"
)

func TestReconcile(t *testing.T) {
	emu, d := newRig(t, 400*time.Millisecond)
	ctx := context.Background()
	first, err := d.Register(ctx, sale(500))
	if err != nil {
		t.Fatal(err)
	}

	// Nothing new on the RT: resend.
	adopt, _, err := Reconcile(ctx, d, first.ZNo, first.DocNo, 500)
	if err != nil || adopt {
		t.Fatalf("nothing advanced: adopt %v, %v; want resend", adopt, err)
	}

	// Register then drop: the RT made the document, the agent never heard. Adopt it.
	emu.Inject(fpmateemu.Fault{Kind: fpmateemu.Drop, Commit: true, On: "printerFiscalReceipt"})
	if _, err := d.Register(ctx, sale(730)); !fiscalprinter.IsAmbiguous(err) {
		t.Fatalf("Register through a drop: %v, want ambiguous", err)
	}
	adopt, ld, err := Reconcile(ctx, d, first.ZNo, first.DocNo, 730)
	if err != nil || !adopt || ld.DocNo != first.DocNo+1 {
		t.Fatalf("after register-then-drop: adopt %v %+v, %v; want the new document adopted", adopt, ld, err)
	}

	// Another document advanced, but with another amount: not ours, resend.
	if adopt, _, _ := Reconcile(ctx, d, first.ZNo, first.DocNo, 999); adopt {
		t.Error("adopted a document of another amount")
	}
	// Same amount but not past what we know: resend.
	if adopt, _, _ := Reconcile(ctx, d, ld.ZNo, ld.DocNo, 730); adopt {
		t.Error("adopted the document we already knew")
	}
	// The RT unreachable: Reconcile says so, adopts nothing.
	emu.Inject(fpmateemu.Fault{Kind: fpmateemu.HTTP500, On: "printerCommand"})
	if adopt, _, err := Reconcile(ctx, d, first.ZNo, first.DocNo, 730); err == nil || adopt {
		t.Errorf("RT failing: adopt %v, %v; want an error", adopt, err)
	}
	if n := len(emu.Documents()); n != 2 {
		t.Errorf("%d documents, want 2", n)
	}
}
