package main

import (
	"errors"
	"testing"
)

func TestCheckDisplay(t *testing.T) {
	tests := []struct {
		name string
		goos string
		env  map[string]string
		want error
	}{
		{"linux without a display", "linux", nil, errNoDisplay},
		{"linux with empty variables", "linux", map[string]string{"DISPLAY": "", "WAYLAND_DISPLAY": ""}, errNoDisplay},
		{"linux under X11", "linux", map[string]string{"DISPLAY": ":0"}, nil},
		{"linux under Wayland", "linux", map[string]string{"WAYLAND_DISPLAY": "wayland-0"}, nil},
		{"freebsd without a display", "freebsd", nil, errNoDisplay},
		{"macOS needs no variable", "darwin", nil, nil},
		{"Windows needs no variable", "windows", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := checkDisplay(tt.goos, func(k string) string { return tt.env[k] })
			if !errors.Is(got, tt.want) {
				t.Errorf("checkDisplay = %v, want %v", got, tt.want)
			}
		})
	}
}
