package ui

import (
	"context"
	"errors"
	"fmt"
	"image"
	"sync"

	"diabolo/app/picture"
	"diabolo/app/watermark"
)

// Collection mode: stock photos often carry one watermark at the same
// place. "Restore all" then first estimates that watermark from the photos
// of the library (watermark.EstimateShared), and the restorer takes it off
// each photo of its size before the model polishes what is left.

// maxCollectionPixels bounds the pixels held at once to estimate the shared
// watermark (three float32 planes per photo): 100 megapixels, 1.2 GB, as on
// the command line. Photos past it are restored with the estimate made from
// the ones before.
const maxCollectionPixels = 100_000_000

// sharedEstimate is the outcome of collection mode's first step.
type sharedEstimate struct {
	// mark is the shared watermark, nil when none was found (or the
	// estimation was cancelled).
	mark *watermark.SharedMark
	// note says, for the notice, why there is no mark; empty when there is
	// one or the estimation was cancelled.
	note string
}

// fits reports whether the shared mark was estimated on photos of img's
// size, and so can be taken off it.
func (s sharedEstimate) fits(img *picture.Image) bool {
	return s.mark != nil && s.mark.Width == img.Width && s.mark.Height == img.Height
}

// otherSizeNote is the notice's sentence about n photos restored without
// the shared mark because their size differs from the collection's.
func (s sharedEstimate) otherSizeNote(n int) string {
	verb := "are"
	if n == 1 {
		verb = "is"
	}
	return fmt.Sprintf("%s %s not %d×%d like the rest of the collection: restored without the shared watermark.",
		count(n, "photo"), verb, s.mark.Width, s.mark.Height)
}

// collectionMode reports whether "Restore all" estimates a shared
// watermark first: the option is on and the task is watermark removal.
func (b *workbench) collectionMode() bool {
	return b.collection.Checked && b.corruption.settings().task == TaskWatermark
}

// onCollection saves the collection mode option, and gives the keyboard
// focus back to the window's keys (Space, zoom).
func (b *workbench) onCollection(on bool) {
	unfocus(b.collection)
	b.prefs.SetBool(prefCollection, on)
}

// estimateShared loads the input of every photo (what the restoration
// reads: the photo with the corruption c applied) and estimates the
// watermark shared by those of the most common size. It runs on the
// restoration's goroutine and reports on the status line; cancelling ctx
// abandons the estimate.
func (b *workbench) estimateShared(ctx context.Context, photos []*photo, c corruption) sharedEstimate {
	b.setCollectionStatus(ctx, fmt.Sprintf("Reading %s for collection mode…", count(len(photos), "photo")))
	bySize := map[image.Point][]*picture.Image{}
	held := 0
	for _, p := range photos {
		if ctx.Err() != nil {
			return sharedEstimate{}
		}
		original, corrupted, err := loadCorrupted(p.path, c)
		if err != nil {
			continue // the restoration reports it
		}
		input := original
		if corrupted != nil {
			input = corrupted
		}
		if held += input.Width * input.Height; held > maxCollectionPixels {
			break
		}
		size := image.Pt(input.Width, input.Height)
		bySize[size] = append(bySize[size], input)
	}
	images := bySize[majoritySize(bySize)]
	b.setCollectionStatus(ctx, fmt.Sprintf("Estimating the shared watermark from %s…", count(len(images), "photo")))
	mark, err := estimateCancellable(ctx, images, &b.jobs)
	switch {
	case ctx.Err() != nil:
		return sharedEstimate{}
	case errors.Is(err, watermark.ErrTooFewImages):
		return sharedEstimate{note: "Collection mode needs at least 2 photos of one size: each photo was restored on its own."}
	case errors.Is(err, watermark.ErrNoMark):
		return sharedEstimate{note: fmt.Sprintf("No watermark shared by the %s was found: each photo was restored on its own.", count(len(images), "photo"))}
	case err != nil:
		return sharedEstimate{note: fmt.Sprintf("The shared watermark could not be estimated (%v): each photo was restored on its own.", err)}
	}
	return sharedEstimate{mark: mark}
}

// setCollectionStatus shows text on the status line unless ctx was
// cancelled, in which case the line says that the job is cancelling. It is
// called from the restoration's goroutine.
func (b *workbench) setCollectionStatus(ctx context.Context, text string) {
	b.ui.run(func() {
		if ctx.Err() == nil {
			b.status.SetText(text)
		}
	})
}

// majoritySize returns the size that most pictures of bySize have; among
// sizes as common, the largest area, then the widest.
func majoritySize(bySize map[image.Point][]*picture.Image) image.Point {
	var best image.Point
	n := 0
	for size, images := range bySize {
		switch {
		case len(images) > n,
			len(images) == n && size.X*size.Y > best.X*best.Y,
			len(images) == n && size.X*size.Y == best.X*best.Y && size.X > best.X:
			best, n = size, len(images)
		}
	}
	return best
}

// estimateCancellable runs watermark.EstimateShared on images in a
// goroutine of its own, counted in jobs, and returns its result, or ctx's
// error as soon as ctx is cancelled (the estimate then finishes unheeded,
// as EstimateShared cannot be interrupted).
func estimateCancellable(ctx context.Context, images []*picture.Image, jobs *sync.WaitGroup) (*watermark.SharedMark, error) {
	type result struct {
		mark *watermark.SharedMark
		err  error
	}
	done := make(chan result, 1)
	jobs.Add(1)
	go func() {
		defer jobs.Done()
		mark, err := watermark.EstimateShared(images, watermark.CollectionOptions{})
		if err != nil {
			err = fmt.Errorf("estimate the shared watermark of %s: %w", count(len(images), "photo"), err)
		}
		done <- result{mark, err}
	}()
	select {
	case r := <-done:
		return r.mark, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
