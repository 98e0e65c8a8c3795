package pos

import (
	"strings"
	"testing"
)

func TestCheckOpenAPI(t *testing.T) {
	// The server as the agent wires it: the API, the pages, the print and the scale routes.
	e, _ := newDemoEnv(t)
	srv := e.api
	RegisterScaleRoute(srv)
	if err := RegisterPages(srv, e.svc, PageOptions{StoreName: "Test", Locale: "it-IT", Currency: "EUR"}); err != nil {
		t.Fatal(err)
	}
	if err := CheckOpenAPI(srv.Routes()); err != nil {
		t.Fatal(err)
	}
	// The check can fail: a route the file lacks is named.
	err := CheckOpenAPI(append(srv.Routes(), Route{Method: "GET", Pattern: "/api/v1/secret"}))
	if err == nil || !strings.Contains(err.Error(), "GET /api/v1/secret") {
		t.Fatalf("an undocumented route was not reported: %v", err)
	}
	err = CheckOpenAPI(srv.Routes()[1:])
	if err == nil || !strings.Contains(err.Error(), "in openapi.yaml but not served") {
		t.Fatalf("a documented but unserved route was not reported: %v", err)
	}
}
