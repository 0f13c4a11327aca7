package locale

import "testing"

func TestUsable(t *testing.T) {
	cases := []struct {
		v    string
		want bool
	}{
		{"", false}, {"C", false}, {"POSIX", false}, {"C.UTF-8", false}, {" C ", false},
		{"en_US.UTF-8", true}, {"fr_FR", true}, {"de", true},
	}
	for _, c := range cases {
		if got := usable(c.v); got != c.want {
			t.Errorf("usable(%q) = %v, want %v", c.v, got, c.want)
		}
	}
}
