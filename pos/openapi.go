package pos

import (
	_ "embed"
	"fmt"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// OpenAPI is the API's description, pos/openapi.yaml, served at /api/v1/openapi.yaml.
//
//go:embed openapi.yaml
var OpenAPI []byte

// CheckOpenAPI compares registered routes with the paths and methods of OpenAPI and returns an error
// listing every route the file lacks and every operation no route serves.
func CheckOpenAPI(routes []Route) error { return checkOpenAPIDoc(OpenAPI, routes) }

// checkOpenAPIDoc is CheckOpenAPI over any OpenAPI document.
func checkOpenAPIDoc(openapi []byte, routes []Route) error {
	var doc struct {
		Paths map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(openapi, &doc); err != nil {
		return fmt.Errorf("openapi.yaml: %w", err)
	}
	inFile := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			switch method {
			case "get", "post", "put", "patch", "delete", "head":
				inFile[strings.ToUpper(method)+" "+path] = true
			}
		}
	}
	served := map[string]bool{}
	var problems []string
	for _, r := range routes {
		key := r.Method + " " + r.Pattern
		served[key] = true
		if !inFile[key] {
			problems = append(problems, "served but not in openapi.yaml: "+key)
		}
	}
	for key := range inFile {
		if !served[key] {
			problems = append(problems, "in openapi.yaml but not served: "+key)
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return fmt.Errorf("router and openapi.yaml disagree:\n  %s", strings.Join(problems, "\n  "))
	}
	return nil
}
