package dataset

import (
	"math"
	"path/filepath"
)

// split divides sorted paths into training and validation sets. A file
// goes to validation when a hash of its base name and seed, mapped to
// [0, 1), is below frac: the split is the same on every run, adding or
// removing a file moves no other file, and copies of a file in different
// folders land on the same side. When frac > 0 and there are at least two
// files, each side gets at least one; a single file is always for
// training. Both results stay sorted.
func split(paths []string, frac float64, seed uint64) (train, val []string) {
	if frac <= 0 || len(paths) < 2 {
		return paths, nil
	}
	u := make([]float64, len(paths))
	lo, hi := 0, 0 // indices of the smallest and largest u
	nVal := 0
	for i, p := range paths {
		u[i] = unitHash(filepath.Base(p), seed)
		if u[i] < u[lo] {
			lo = i
		}
		if u[i] > u[hi] {
			hi = i
		}
		if u[i] < frac {
			nVal++
		}
	}
	switch nVal {
	case 0:
		u[lo] = -1 // force the lowest into validation
	case len(paths):
		u[hi] = math.Inf(1) // force the highest into training
	}
	for i, p := range paths {
		if u[i] < frac {
			val = append(val, p)
		} else {
			train = append(train, p)
		}
	}
	return train, val
}

// unitHash maps name and seed to a number in [0, 1): FNV-1a over the name,
// started from the seed, then the splitmix64 finaliser.
func unitHash(name string, seed uint64) float64 {
	h := uint64(14695981039346656037) ^ seed*0x9e3779b97f4a7c15
	for i := 0; i < len(name); i++ {
		h ^= uint64(name[i])
		h *= 1099511628211
	}
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	h ^= h >> 31
	return float64(h>>11) / (1 << 53)
}
