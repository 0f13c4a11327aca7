// Package session trains a network in the background and reports what
// happens as events: losses, validation metrics, speed, time left and a
// preview of a fixed crop. A session can be paused, resumed and stopped,
// saves atomic checkpoints, resumes from one after a crash, and recovers
// from numerical blow-ups instead of saving a broken model.
package session

import (
	"errors"
	"fmt"
	"time"

	"diabolo/app/dataset"
	"diabolo/app/noise"
	"diabolo/convae"
)

// Config describes a training run.
type Config struct {
	Data *dataset.Dataset // training images, and validation images unless ValData is set
	// ValData, when not nil, provides the validation crops instead of Data.
	ValData *dataset.Dataset
	Task    string // "denoise" (the default) or "watermark"
	// Mode is Supervised (the default: clean photos, corrupted by Noise) or
	// SelfSupervised (noisy photos alone, Neighbor2Neighbor).
	Mode string
	// Noise corrupts clean patches into inputs. In self-supervised mode it
	// only corrupts the validation crops, and may be nil when there are no
	// clean photos to validate on: validation then shows the network's
	// output on the noisy crops, without metrics.
	Noise noise.Model
	// Spec is the architecture of a fresh network; ignored when From or
	// Resume is set.
	Spec convae.Spec
	// From, when not nil, is fine-tuned instead of starting afresh.
	From *convae.Model
	// Resume, when not empty, is a checkpoint file to continue from.
	Resume string
	// Brush, for task watermark, trains a model for marks the user paints
	// over: every training and validation patch carries its marks'
	// footprint in the mask channel, as a brush would paint it, and the
	// network learns the marks' opacity and colour alone
	// (convae.MarkTarget.Only), unless PictureLoss is set. It needs a
	// network that unblends marks.
	Brush bool
	// PictureLoss, with Brush, lets the main loss (Loss, on the unblended
	// picture) train the network as well as the marks' opacity and colour:
	// an error in the opacity then counts as much as the picture it spoils,
	// which grows as 1/(1 − α) with the mark's opacity α and with the
	// contrast between the mark and the picture under it.
	PictureLoss bool
	// PaintMargin is, for task watermark, the widest margin in pixels of
	// the paint around the marks of the patches that show it in the mask
	// channel: each is painted 1 to PaintMargin pixels past its marks
	// (default DefaultPaintMargin). Wider, the model copes with looser
	// brush strokes.
	PaintMargin int

	Patch, Batch int     // patch side and patches per step (defaults 64, 16)
	LR           float64 // peak learning rate (default 1e-3)
	MinLR        float64 // final learning rate of the cosine schedule (default LR/50)
	Loss         string  // "mse", "l1" or "charbonnier" (default "l1")

	// The run ends after Steps steps or Duration of training time (pauses
	// excluded), whichever comes first; at least one must be set.
	Steps    int
	Duration time.Duration

	ValEvery   int // steps between validations (default 100)
	ValCrops   int // validation crops (default 8)
	ValSide    int // their side (default 128)
	Checkpoint string
	// CheckpointEvery is the training time between checkpoints (default
	// 2 minutes) when Checkpoint is set.
	CheckpointEvery time.Duration
	Seed            uint64
	Workers         int // goroutines for the network; 0: one per CPU
	// EventEvery is the wall time between step events (default 250 ms), so
	// that a chart can refresh several times a second without flooding.
	EventEvery time.Duration
}

// Training modes.
const (
	Supervised     = "supervised"      // clean photos with synthetic corruption
	SelfSupervised = "self-supervised" // noisy photos alone (Neighbor2Neighbor)
)

// withDefaults returns c with zero fields set to their defaults, or an
// error naming what is missing.
func (c Config) withDefaults() (Config, error) {
	if c.Data == nil {
		return c, errors.New("no training data")
	}
	if c.Mode == "" {
		c.Mode = Supervised
	}
	if c.Mode != Supervised && c.Mode != SelfSupervised {
		return c, fmt.Errorf("unknown mode %q (%s or %s)", c.Mode, Supervised, SelfSupervised)
	}
	if c.Noise == nil && c.Mode == Supervised {
		return c, errors.New("no noise model")
	}
	if c.Steps <= 0 && c.Duration <= 0 {
		return c, errors.New("no budget: set a number of steps or a duration")
	}
	if c.Task == "" {
		c.Task = "denoise"
	}
	if c.Task != "denoise" && c.Task != "watermark" {
		return c, fmt.Errorf("unknown task %q (denoise or watermark)", c.Task)
	}
	if c.Brush && c.Task != "watermark" {
		return c, fmt.Errorf("brush training is for task watermark, not %q", c.Task)
	}
	if c.PictureLoss && !c.Brush {
		return c, errors.New("the picture loss is an option of brush training; other watermark training always has it")
	}
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&c.PaintMargin, DefaultPaintMargin)
	def(&c.Patch, 64)
	def(&c.Batch, 16)
	def(&c.ValEvery, 100)
	def(&c.ValCrops, 8)
	def(&c.ValSide, 128)
	if c.LR <= 0 {
		c.LR = 1e-3
	}
	if c.MinLR <= 0 {
		c.MinLR = c.LR / 50
	}
	if c.Loss == "" {
		c.Loss = convae.LossL1
	}
	if c.CheckpointEvery <= 0 {
		c.CheckpointEvery = 2 * time.Minute
	}
	if c.EventEvery <= 0 {
		c.EventEvery = 250 * time.Millisecond
	}
	return c, nil
}

// EventKind tells what an Event reports.
type EventKind int

// Kinds of events, in the order a run emits them.
const (
	Started    EventKind = iota // the network is ready; Message describes it
	Step                        // training progress
	Validation                  // validation metrics and a preview
	Checkpoint                  // a checkpoint was written to Message
	Warning                     // something went wrong and was handled (Message)
	Paused
	Resumed
	Finished // the run ended; Err is nil, or why it failed
)

// Event is one report from a running session. Only the fields that its
// Kind concerns are set.
type Event struct {
	Kind        EventKind
	Step        int           // steps done
	TotalSteps  int           // the step budget, 0 when only time bounds the run
	Elapsed     time.Duration // training time so far, pauses excluded
	Progress    float64       // fraction of the budget used, 0..1
	ETA         time.Duration // estimated training time left
	Loss        float64       // mean training loss since the previous Step event
	LR          float64
	PatchesPerS float64
	ValLoss     float64
	ValPSNR     float64 // dB, of the restored crops against the clean ones
	NoisyPSNR   float64 // dB, of the corrupted crops: the baseline
	ValSSIM     float64
	Preview     *Preview
	Message     string
	Err         error
	// Filters are the first layer's filters mapped to the colour planes
	// (convae.Net.FirstFilters), on Validation events of networks that
	// have them.
	Filters *convae.Filters
	// Features are the bottleneck's feature maps for the preview's crop,
	// on Validation events.
	Features *FeatureMaps
}

// MaxFeatureMaps is how many bottleneck channels a Validation event
// carries at most.
const MaxFeatureMaps = 32

// FeatureMaps are the first channels of the network's bottleneck activation
// (convae.Net.Bottleneck) for the first validation crop: Channels planes of
// H×W values, Values[(c*H+y)*W+x]. Total is the number of channels of the
// bottleneck, of which at most MaxFeatureMaps are kept.
type FeatureMaps struct {
	Channels, H, W, Total int
	Values                []float32
}

// Preview is the first validation crop: clean, corrupted and restored,
// each 3 planar channels of Side×Side values in [0, 1]. Clean is nil when
// the crops are noisy photos with no clean version.
type Preview struct {
	Side                   int
	Clean, Noisy, Restored []float32
}
