package atomicfile_test

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"diabolo/app/atomicfile"
)

var errWriteFailed = errors.New("disk on fire")

// writeString returns a write function that writes s.
func writeString(s string) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := io.WriteString(w, s)
		return err
	}
}

// writeThenFail writes s, then fails.
func writeThenFail(s string) func(io.Writer) error {
	return func(w io.Writer) error {
		io.WriteString(w, s)
		return errWriteFailed
	}
}

// names lists the entries of dir.
func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

type writeFunc func(string, os.FileMode, func(io.Writer) error) error

func TestWriteOutcomes(t *testing.T) {
	tests := []struct {
		name     string
		fn       writeFunc
		existing string // content of out.txt before the call; "" for none
		write    func(io.Writer) error
		wantErr  error // nil for success
		want     string
	}{
		{"Write creates", atomicfile.Write, "", writeString("new"), nil, "new"},
		{"Write replaces", atomicfile.Write, "old", writeString("new"), nil, "new"},
		{"Write failing leaves old", atomicfile.Write, "old", writeThenFail("partial"), errWriteFailed, "old"},
		{"Write failing creates nothing", atomicfile.Write, "", writeThenFail("partial"), errWriteFailed, ""},
		{"WriteNew creates", atomicfile.WriteNew, "", writeString("new"), nil, "new"},
		{"WriteNew refuses existing", atomicfile.WriteNew, "old", writeString("new"), fs.ErrExist, "old"},
		{"WriteNew failing creates nothing", atomicfile.WriteNew, "", writeThenFail("partial"), errWriteFailed, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "out.txt")
			if tt.existing != "" {
				if err := os.WriteFile(path, []byte(tt.existing), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			err := tt.fn(path, 0o640, tt.write)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error = %v, want %v", err, tt.wantErr)
			}
			if err != nil && !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name %s", err, path)
			}
			got, readErr := os.ReadFile(path)
			if tt.want == "" {
				if !errors.Is(readErr, fs.ErrNotExist) {
					t.Errorf("target exists after failure (read error %v)", readErr)
				}
			} else if string(got) != tt.want {
				t.Errorf("content = %q, want %q", got, tt.want)
			}
			wantNames := []string{"out.txt"}
			if tt.want == "" {
				wantNames = nil
			}
			if got := names(t, dir); !slices.Equal(got, wantNames) {
				t.Errorf("folder holds %q, want %q (temporary files left behind?)", got, wantNames)
			}
		})
	}
}

func TestWriteSetsPermissions(t *testing.T) {
	for _, perm := range []os.FileMode{0o600, 0o644} {
		path := filepath.Join(t.TempDir(), "out.txt")
		if err := atomicfile.Write(path, perm, writeString("x")); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != perm {
			t.Errorf("mode = %v, want %v", got, perm)
		}
	}
}

func TestWriteNewDoesNotCallWriteWhenTargetExists(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.txt")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	called := false
	err := atomicfile.WriteNew(path, 0o644, func(io.Writer) error { called = true; return nil })
	if !errors.Is(err, fs.ErrExist) {
		t.Fatalf("error = %v, want fs.ErrExist", err)
	}
	if called {
		t.Error("write was called although the target exists")
	}
}

func TestWritePanicLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.txt")
	func() {
		defer func() {
			if recover() == nil {
				t.Error("panic in write was swallowed")
			}
		}()
		atomicfile.Write(path, 0o644, func(w io.Writer) error {
			io.WriteString(w, "partial")
			panic("boom")
		})
	}()
	if got := names(t, dir); len(got) != 0 {
		t.Errorf("folder holds %q after a panic, want nothing", got)
	}
}

func TestWriteUnwritableFolder(t *testing.T) {
	dir := t.TempDir()
	notADir := filepath.Join(dir, "file")
	if err := os.WriteFile(notADir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	readOnly := filepath.Join(dir, "readonly")
	if err := os.Mkdir(readOnly, 0o500); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		path   string
		asRoot bool // whether the case still fails for the superuser
	}{
		{"missing folder", filepath.Join(dir, "missing", "out.txt"), true},
		{"parent is a file", filepath.Join(notADir, "out.txt"), true},
		{"read-only folder", filepath.Join(readOnly, "out.txt"), false},
	}
	for _, tt := range tests {
		for _, fn := range []struct {
			name string
			fn   writeFunc
		}{{"Write", atomicfile.Write}, {"WriteNew", atomicfile.WriteNew}} {
			t.Run(tt.name+"/"+fn.name, func(t *testing.T) {
				if !tt.asRoot && os.Geteuid() == 0 {
					t.Skip("the superuser can write to read-only folders")
				}
				err := fn.fn(tt.path, 0o644, writeString("x"))
				if err == nil {
					t.Fatal("no error")
				}
				if !strings.Contains(err.Error(), tt.path) {
					t.Errorf("error %q does not name %s", err, tt.path)
				}
			})
		}
	}
}
