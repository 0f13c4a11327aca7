package watermark

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// wordSet is the vocabulary of a split: the stamp words, the studio names
// and the formats of dates, domains, copyright lines and numbers that text
// marks are made of. The training and held-out sets share no word.
type wordSet struct {
	// stamps are words written on their own: "SAMPLE", "PROOF".
	stamps []string
	// names are studio or brand names.
	names []string
	// copyright formats a copyright line from a year and a name.
	copyright []func(year int, name string) string
	// domain formats a web address or handle from a lower-case name.
	domain []func(name string) string
	// date formats a camera date stamp.
	date []func(year, month, day, hour, minute int) string
	// number formats a frame or stock number.
	number []func(n int) string
}

// trainingWords is the vocabulary of training marks.
func trainingWords() wordSet {
	return wordSet{
		stamps: []string{"SAMPLE", "PROOF", "PREVIEW", "DRAFT", "COPYRIGHT", "CONFIDENTIAL", "NOT FOR SALE", "STOCK"},
		names:  []string{"Studio Lumen", "Northlight", "Pixelworks", "Brightside", "Orchard", "Foxglove", "Silverline", "Atelier Nova"},
		copyright: []func(int, string) string{
			func(y int, n string) string { return fmt.Sprintf("© %d %s", y, n) },
			func(y int, n string) string { return fmt.Sprintf("© %s %d", n, y) },
			func(_ int, n string) string { return n + " Photography" },
		},
		domain: []func(string) string{
			func(n string) string { return "www." + n + "photo.com" },
			func(n string) string { return n + ".com" },
			func(n string) string { return "@" + n },
		},
		date: []func(y, mo, d, h, mi int) string{
			func(y, mo, d, h, mi int) string { return fmt.Sprintf("%04d-%02d-%02d %02d:%02d", y, mo, d, h, mi) },
			func(y, mo, d, _, _ int) string { return fmt.Sprintf("%04d-%02d-%02d", y, mo, d) },
		},
		number: []func(int) string{
			func(n int) string { return fmt.Sprintf("#%05d", n) },
			func(n int) string { return fmt.Sprintf("IMG_%04d", n%10000) },
		},
	}
}

// heldOutWords is the vocabulary of held-out marks: other words, names and
// formats (European and film-camera dates, .net and .org addresses).
func heldOutWords() wordSet {
	return wordSet{
		stamps: []string{"SPECIMEN", "COPY", "DEMO", "WATERMARKED", "UNLICENSED", "RESTRICTED", "REFERENCE"},
		names:  []string{"Kestrel", "Bluefern", "Quarry Lane", "Meridian", "Halcyon", "Tamarind", "Wexford"},
		copyright: []func(int, string) string{
			func(y int, n string) string { return fmt.Sprintf("(c) %d %s Images", y, n) },
			func(_ int, n string) string { return n + " Images" },
		},
		domain: []func(string) string{
			func(n string) string { return n + "-images.net" },
			func(n string) string { return "gallery." + n + ".org" },
		},
		date: []func(y, mo, d, h, mi int) string{
			func(y, mo, d, _, _ int) string { return fmt.Sprintf("%02d.%02d.%04d", d, mo, y) },
			func(y, mo, d, _, _ int) string { return fmt.Sprintf("'%02d %d %d", y%100, mo, d) },
			func(y, mo, d, h, mi int) string { return fmt.Sprintf("%02d/%02d/%02d %d:%02d", d, mo, y%100, h, mi) },
		},
		number: []func(int) string{
			func(n int) string { return fmt.Sprintf("No. %d", n) },
			func(n int) string { return fmt.Sprintf("DSC%05d", n) },
		},
	}
}

// Kinds of text a mark can show.
const (
	textStamp = iota
	textCopyright
	textDomain
	textDate
	textNumber
	textKinds
)

// text draws a text of one of the kinds, with weights suited to the layout:
// corner stamps are mostly dates.
func (ws wordSet) text(rng *rand.Rand, corner bool) string {
	kind := rng.IntN(textKinds)
	if corner && rng.IntN(3) > 0 {
		kind = textDate
	}
	switch kind {
	case textStamp:
		return pick(rng, ws.stamps)
	case textCopyright:
		return pick(rng, ws.copyright)(1995+rng.IntN(31), pick(rng, ws.names))
	case textDomain:
		name := strings.ToLower(strings.ReplaceAll(pick(rng, ws.names), " ", ""))
		return pick(rng, ws.domain)(name)
	case textDate:
		return pick(rng, ws.date)(1995+rng.IntN(31), 1+rng.IntN(12), 1+rng.IntN(28), rng.IntN(24), rng.IntN(60))
	default:
		return pick(rng, ws.number)(rng.IntN(100000))
	}
}

// initials draws one to three capital letters, the monogram of a logo.
func initials(rng *rand.Rand) string {
	const letters = "ABCDEFGHJKLMNPRSTVWXYZ"
	b := make([]byte, 1+rng.IntN(3))
	for i := range b {
		b[i] = letters[rng.IntN(len(letters))]
	}
	return string(b)
}

// pick returns a uniformly drawn element of s, which must not be empty.
func pick[T any](rng *rand.Rand, s []T) T {
	return s[rng.IntN(len(s))]
}
