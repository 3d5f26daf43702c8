package config

import (
	"reflect"
	"strings"
	"testing"
)

// TestRebaseCoversEveryPathField fills every string field whose name ends in Dir, File or
// Path with an absolute path, rebases, and checks that none was missed — so a path field
// added later without a line in paths() fails here.
func TestRebaseCoversEveryPathField(t *testing.T) {
	c := &DispatcherConfig{
		Source:    Source{K3Cloud: &K3CloudSource{TrackingWriteBack: &TrackingWriteBack{}}, Webhook: &WebhookSource{}},
		Suppliers: []Supplier{{HTTP: &HTTPEndpoint{}, K3Cloud: &K3CloudEndpoint{}}},
	}
	var fields []string
	walk(reflect.ValueOf(c).Elem(), "", func(name string, v reflect.Value) {
		v.SetString("/etc/x")
		fields = append(fields, name)
	})
	if len(fields) < 8 {
		t.Fatalf("found only %d path fields: %v", len(fields), fields)
	}
	c.Rebase("/tmp/root")
	walk(reflect.ValueOf(c).Elem(), "", func(name string, v reflect.Value) {
		if v.String() != "/tmp/root/etc/x" {
			t.Errorf("%s = %q after Rebase; add it to paths()", name, v.String())
		}
	})
}

func walk(v reflect.Value, path string, fn func(string, reflect.Value)) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			walk(v.Elem(), path, fn)
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			walk(v.Index(i), path+"[]", fn)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			name := f.Name
			fv := v.Field(i)
			if fv.Kind() == reflect.String && (strings.HasSuffix(name, "Dir") || strings.HasSuffix(name, "File") || name == "Path") {
				fn(path+"."+name, fv)
				continue
			}
			walk(fv, path+"."+name, fn)
		}
	}
}
