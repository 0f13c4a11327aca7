package picture_test

import (
	"testing"

	"diabolo/app/picture"
)

func TestIsImageName(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"a.jpg", true}, {"a.JPEG", true}, {"a.Png", true}, {"a.gif", true},
		{"a.bmp", true}, {"a.tif", true}, {"a.TIFF", true}, {"a.webp", true},
		{"a.txt", false}, {"a.jpg.txt", false}, {"jpg", false}, {"a.svg", false}, {"", false},
	}
	for _, tc := range tests {
		if got := picture.IsImageName(tc.name); got != tc.want {
			t.Errorf("IsImageName(%q) = %v, want %v", tc.name, got, tc.want)
		}
	}
}
