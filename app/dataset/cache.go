package dataset

import (
	"fmt"
	"strings"

	"diabolo/app/picture"
)

// image returns item i decoded, from the cache or by decoding it, and
// false if the file is unusable (it is then recorded as skipped the first
// time). Concurrent calls for the same item decode it once. The image is
// shared: callers must not modify it. A cache hit allocates nothing.
func (d *Dataset) image(i int) (*picture.Image, bool) {
	d.mu.Lock()
	e := &d.items[i]
	for e.loading != nil {
		ch := e.loading
		d.mu.Unlock()
		<-ch
		d.mu.Lock()
	}
	if e.failed {
		d.mu.Unlock()
		return nil, false
	}
	if e.img != nil {
		d.unlink(i)
		d.pushFront(i)
		img := e.img
		d.mu.Unlock()
		return img, true
	}
	done := make(chan struct{})
	e.loading = done
	d.loads++
	d.mu.Unlock()

	img, reason := d.decode(e.path)

	d.mu.Lock()
	e.loading = nil
	close(done)
	if reason != "" {
		e.failed = true
		if i < d.nTrain {
			d.failedTrain++
		} else {
			d.failedVal++
		}
		s := Skipped{Path: e.path, Reason: reason}
		d.skipped = append(d.skipped, s)
		d.mu.Unlock()
		if d.opts.OnSkip != nil {
			d.opts.OnSkip(s)
		}
		return nil, false
	}
	d.insert(i, img)
	d.mu.Unlock()
	return img, true
}

// decode loads path and checks that the result is usable; it returns the
// image, or nil and why the file is skipped.
func (d *Dataset) decode(path string) (img *picture.Image, reason string) {
	defer func() {
		// A decoder that panics on a malformed file must not bring the
		// training run down: the file is skipped like any other bad one.
		if r := recover(); r != nil {
			img, reason = nil, fmt.Sprintf("decoder failed: %v", r)
		}
	}()
	img, err := d.load(path)
	switch {
	case err != nil:
		// Skipped carries the path: keep only what went wrong.
		return nil, strings.TrimPrefix(err.Error(), path+": ")
	case img == nil || img.Width <= 0 || img.Height <= 0 || len(img.Pix) != picture.Channels*img.Width*img.Height:
		return nil, "decoder returned a malformed image"
	case min(img.Width, img.Height) < d.minSide:
		return nil, fmt.Sprintf("too small: %d×%d, need at least %d pixels on each side", img.Width, img.Height, d.minSide)
	case d.opts.MaxPixels > 0 && img.Width*img.Height > d.opts.MaxPixels:
		return nil, fmt.Sprintf("too large: %d×%d, more than %d pixels", img.Width, img.Height, d.opts.MaxPixels)
	}
	return img, ""
}

// imageBytes is the memory an image's pixels take in the cache.
func imageBytes(m *picture.Image) int64 {
	return 4 * int64(len(m.Pix)+len(m.Alpha))
}

// insert caches img as item i, evicting the least recently used images
// until it fits. An image larger than the whole cache is not kept.
// d.mu must be held.
func (d *Dataset) insert(i int, img *picture.Image) {
	size := imageBytes(img)
	if size > d.opts.CacheBytes {
		return
	}
	for d.used+size > d.opts.CacheBytes {
		t := d.tail
		d.unlink(t)
		d.used -= imageBytes(d.items[t].img)
		d.items[t].img = nil
		d.cached--
	}
	d.items[i].img = img
	d.used += size
	d.cached++
	d.pushFront(i)
}

// pushFront links item i, which must be unlinked, at the head of the LRU
// list. d.mu must be held.
func (d *Dataset) pushFront(i int) {
	e := &d.items[i]
	e.prev, e.next = -1, d.head
	if d.head >= 0 {
		d.items[d.head].prev = i
	} else {
		d.tail = i
	}
	d.head = i
}

// unlink removes item i from the LRU list. d.mu must be held.
func (d *Dataset) unlink(i int) {
	e := &d.items[i]
	if e.prev >= 0 {
		d.items[e.prev].next = e.next
	} else {
		d.head = e.next
	}
	if e.next >= 0 {
		d.items[e.next].prev = e.prev
	} else {
		d.tail = e.prev
	}
	e.prev, e.next = -1, -1
}
