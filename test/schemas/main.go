// Command schemas prints the OpenAPI definitions that gpuvm's tests validate KubeVirt and CDI
// objects against, from the Go module kubevirt.io/client-go (its api package holds the
// openapi-gen output for every KubeVirt type and the CDI types KubeVirt embeds).
//
//	go run . <outdir>
//
// writes <outdir>/kubevirt/swagger.json and <outdir>/containerized-data-importer/swagger.json:
// Swagger 2.0 documents with only `definitions`, named the way KubeVirt's published swagger.json
// names them (KubeVirt and CDI types by their last path segment, `v1.VirtualMachine`; every other
// type by its dotted Go path, `k8s.io.api.core.v1.Affinity`), so the tests read either copy.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"sort"
	"strings"

	conditionsv1 "github.com/openshift/custom-resource-status/conditions/v1"
	"k8s.io/kube-openapi/pkg/common"
	"k8s.io/kube-openapi/pkg/validation/spec"
	kubevirtapi "kubevirt.io/client-go/api"
	sdkapi "kubevirt.io/controller-lifecycle-operator-sdk/api"
)

const (
	kubevirtCore = "kubevirt.io/api/core/v1."
	cdiCore      = "kubevirt.io/containerized-data-importer-api/pkg/apis/core/v1beta1."
)

// Each document holds the types its roots reach, as each upstream swagger.json does: the two
// projects reuse short names (v1beta1.X) that would collide in one document.
var documents = []struct {
	file  string
	roots []string
}{
	{"kubevirt/swagger.json", []string{
		kubevirtCore + "VirtualMachine", kubevirtCore + "VirtualMachineInstance", kubevirtCore + "KubeVirt",
	}},
	{"containerized-data-importer/swagger.json", []string{
		cdiCore + "DataVolume", cdiCore + "CDI", cdiCore + "CDIConfig",
	}},
}

// definitionName follows KubeVirt's swagger: its own and CDI's types by short name, others dotted.
func definitionName(goName string) string {
	if strings.HasPrefix(goName, "kubevirt.io/") {
		return goName[strings.LastIndex(goName, "/")+1:]
	}
	return strings.ReplaceAll(goName, "/", ".")
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: schemas <outdir>")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "schemas:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	definitions := kubevirtapi.GetOpenAPIDefinitions(func(goName string) spec.Ref {
		return spec.MustCreateRef("#/definitions/" + definitionName(goName))
	})
	version := moduleVersion("kubevirt.io/client-go")
	for _, doc := range documents {
		reached, err := closure(definitions, doc.roots)
		if err != nil {
			return fmt.Errorf("%s: %w", doc.file, err)
		}
		body := map[string]any{
			"swagger": "2.0",
			"info": map[string]string{
				"title":   "OpenAPI definitions from kubevirt.io/client-go " + version + " (api/openapi_generated.go)",
				"version": version,
			},
			"paths":       map[string]any{},
			"definitions": reached,
		}
		text, err := json.MarshalIndent(body, "", "  ")
		if err != nil {
			return err
		}
		path := filepath.Join(out, doc.file)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, append(text, '\n'), 0o644); err != nil {
			return err
		}
		fmt.Printf("%s: %d definitions from kubevirt.io/client-go %s\n", doc.file, len(reached), version)
	}
	return nil
}

// closure returns the definitions the roots reach through their dependencies, by swagger name.
// Two Go types with one swagger name in the same document are an error, never a silent overwrite.
func closure(all map[string]common.OpenAPIDefinition, roots []string) (map[string]spec.Schema, error) {
	result := map[string]spec.Schema{}
	owner := map[string]string{}
	pending := append([]string(nil), roots...)
	sort.Strings(pending)
	for len(pending) > 0 {
		goName := pending[0]
		pending = pending[1:]
		name := definitionName(goName)
		if previous, seen := owner[name]; seen {
			if previous != goName {
				return nil, fmt.Errorf("%s and %s are both named %s", previous, goName, name)
			}
			continue
		}
		owner[name] = goName
		if definition, ok := all[goName]; ok {
			schema, err := swagger2(definition.Schema)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", goName, err)
			}
			result[name] = schema
			pending = append(pending, definition.Dependencies...)
			continue
		}
		goType, ok := withoutDefinition[goName]
		if !ok {
			return nil, fmt.Errorf("no OpenAPI definition for %s", goName)
		}
		schema, dependencies, err := fromGoType(goType, all)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", goName, err)
		}
		result[name] = schema
		pending = append(pending, dependencies...)
	}
	return result, nil
}

// swagger2 is the Swagger 2.0 form of a definition: types whose OpenAPI v3 schema has no v2
// equivalent (Quantity's and IntOrString's oneOf) carry it in an extension, as kube-openapi's v2
// builder reads it; the published swagger.json files hold that form.
func swagger2(schema spec.Schema) (spec.Schema, error) {
	embedded, ok := schema.Extensions[common.ExtensionV2Schema]
	if !ok {
		return schema, nil
	}
	text, err := json.Marshal(embedded)
	if err != nil {
		return spec.Schema{}, err
	}
	var v2 spec.Schema
	err = json.Unmarshal(text, &v2)
	return v2, err
}

// Types the CDI definitions refer to that client-go's openapi-gen output leaves out (CDISpec's
// infra and workloads placement, CDIStatus' conditions, from the modules CDI takes them from): their
// schemas come from the Go types themselves, closed like every other definition.
var withoutDefinition = map[string]reflect.Type{
	"kubevirt.io/controller-lifecycle-operator-sdk/api.NodePlacement":     reflect.TypeOf(sdkapi.NodePlacement{}),
	"github.com/openshift/custom-resource-status/conditions/v1.Condition": reflect.TypeOf(conditionsv1.Condition{}),
}

// fromGoType derives an object schema from a struct's JSON fields. A field whose type has an
// OpenAPI definition refers to it; plain strings, booleans, integers, string maps and slices of
// these are written out. Anything else is an error, so no field is silently left unchecked.
func fromGoType(t reflect.Type, all map[string]common.OpenAPIDefinition) (spec.Schema, []string, error) {
	var dependencies []string
	var fieldSchema func(reflect.Type) (spec.Schema, error)
	fieldSchema = func(ft reflect.Type) (spec.Schema, error) {
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if goName := ft.PkgPath() + "." + ft.Name(); ft.Name() != "" && ft.PkgPath() != "" {
			if _, ok := all[goName]; ok {
				dependencies = append(dependencies, goName)
				return spec.Schema{SchemaProps: spec.SchemaProps{Ref: spec.MustCreateRef("#/definitions/" + definitionName(goName))}}, nil
			}
		}
		switch ft.Kind() {
		case reflect.String:
			return *spec.StringProperty(), nil
		case reflect.Bool:
			return *spec.BoolProperty(), nil
		case reflect.Int, reflect.Int32, reflect.Int64:
			return *spec.Int64Property(), nil
		case reflect.Slice:
			items, err := fieldSchema(ft.Elem())
			if err != nil {
				return spec.Schema{}, err
			}
			return *spec.ArrayProperty(&items), nil
		case reflect.Map:
			if ft.Key().Kind() != reflect.String {
				return spec.Schema{}, fmt.Errorf("map key %s", ft.Key())
			}
			values, err := fieldSchema(ft.Elem())
			if err != nil {
				return spec.Schema{}, err
			}
			return *spec.MapProperty(&values), nil
		}
		return spec.Schema{}, fmt.Errorf("no schema for Go type %s", ft)
	}
	object := spec.Schema{SchemaProps: spec.SchemaProps{Type: []string{"object"}, Properties: map[string]spec.Schema{}}}
	for i := 0; i < t.NumField(); i++ {
		field := t.Field(i)
		name, options, _ := strings.Cut(field.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			return spec.Schema{}, nil, fmt.Errorf("field %s has no JSON name", field.Name)
		}
		schema, err := fieldSchema(field.Type)
		if err != nil {
			return spec.Schema{}, nil, fmt.Errorf("field %s: %w", field.Name, err)
		}
		object.Properties[name] = schema
		// Always serialised scalars are required, as openapi-gen has them (a condition's type and
		// status); a struct such as metav1.Time stays optional, as upstream's swagger has it.
		if !strings.Contains(options, "omitempty") && field.Type.Kind() != reflect.Struct && field.Type.Kind() != reflect.Pointer {
			object.Required = append(object.Required, name)
		}
	}
	return object, dependencies, nil
}

// moduleVersion is the version of a dependency this binary was built with (go.mod pins it).
func moduleVersion(path string) string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == path {
				return dep.Version
			}
		}
	}
	return "unknown"
}
