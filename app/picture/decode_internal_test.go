package picture

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestCheckSizeDoesNotOverflow(t *testing.T) {
	tests := []struct {
		width, height, limit int
		wantErr              error
	}{
		{1 << 40, 1 << 40, DefaultMaxPixels, ErrTooLarge},
		{1 << 62, 4, 1<<63 - 1, ErrTooLarge},
		{10_000, 10_000, DefaultMaxPixels, nil},
		{10_000, 10_001, DefaultMaxPixels, ErrTooLarge},
		{1, DefaultMaxPixels, DefaultMaxPixels, nil},
	}
	for _, tt := range tests {
		if err := checkSize(tt.width, tt.height, tt.limit); !errors.Is(err, tt.wantErr) {
			t.Errorf("checkSize(%d, %d, %d) = %v, want %v", tt.width, tt.height, tt.limit, err, tt.wantErr)
		}
	}
	for _, size := range [][2]int{{0, 5}, {5, 0}, {-1, 5}} {
		err := checkSize(size[0], size[1], DefaultMaxPixels)
		if err == nil || !strings.Contains(err.Error(), "damaged header") {
			t.Errorf("checkSize(%d, %d) = %v, want a damaged header error", size[0], size[1], err)
		}
	}
}

func TestMaxFileBytes(t *testing.T) {
	tests := []struct {
		maxPixels int
		want      int64
	}{
		{1, 8 + 64<<20},
		{DefaultMaxPixels, 8*DefaultMaxPixels + 64<<20},
		{math.MaxInt, math.MaxInt64 - 1}, // no overflow
	}
	for _, tt := range tests {
		if got := maxFileBytes(tt.maxPixels); got != tt.want {
			t.Errorf("maxFileBytes(%d) = %d, want %d", tt.maxPixels, got, tt.want)
		}
	}
}
