package restore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"diabolo/app/picture"
)

// BatchOptions say where and how a batch of restored files is written.
type BatchOptions struct {
	// Output is a file when there is one input and Output is not an
	// existing folder; otherwise a folder, created if missing.
	Output string
	// Suffix is added to each input's base name inside an output folder,
	// for example "_denoised": photo.jpg → photo_denoised.jpg.
	Suffix string
	// Format, when set, overrides the format chosen from the output name
	// (for a folder: the input's own format when it is PNG, JPEG or TIFF,
	// PNG otherwise).
	Format *picture.Format
	// Quality is the JPEG quality (1–100; 0 means the encoder's default).
	Quality int
	// Overwrite allows replacing existing files, inputs included.
	Overwrite bool
	// MaxPixels bounds the size of the images decoded (0: the default).
	MaxPixels int
	Restore   Options
}

// Result is what became of one input of a batch.
type Result struct {
	Input, Output string
	Err           error // nil on success; names the file and the problem
}

// ErrOutputIsInput reports an output path that would replace its input.
var ErrOutputIsInput = errors.New("output would overwrite the input (pass overwrite to allow it)")

// Batch restores every input and writes the results as opts says. A bad
// input does not stop the others; each outcome is in the returned slice,
// in input order. progress, when not nil, gets the index of the current
// input and the fraction of it done. Cancelling ctx stops the batch: the
// inputs not reached get ctx's error.
func Batch(ctx context.Context, r *Restorer, inputs []string, opts BatchOptions, progress func(index int, done float64)) []Result {
	results := make([]Result, len(inputs))
	toFolder, err := outputIsFolder(opts.Output, len(inputs))
	for i, in := range inputs {
		results[i].Input = in
		if err != nil {
			results[i].Err = err
			continue
		}
		if ctx.Err() != nil {
			results[i].Err = ctx.Err()
			continue
		}
		out, format, perr := outputPath(in, opts, toFolder)
		results[i].Output = out
		if perr != nil {
			results[i].Err = perr
			continue
		}
		var report func(float64)
		if progress != nil {
			report = func(done float64) { progress(i, done) }
		}
		results[i].Err = restoreFile(ctx, r, in, out, format, opts, report)
	}
	return results
}

// outputIsFolder decides whether Output names a folder, creating it when
// it must be one.
func outputIsFolder(output string, inputs int) (bool, error) {
	if output == "" {
		return false, errors.New("no output given")
	}
	if fi, err := os.Stat(output); err == nil && fi.IsDir() {
		return true, nil
	}
	if inputs == 1 {
		_, err := picture.FormatFromPath(output)
		switch {
		case err == nil:
			return false, nil
		case picture.IsImageName(output):
			// A picture file in a format that is read but not written
			// (WebP, BMP, GIF), not a folder to create.
			return false, err
		}
	}
	if err := os.MkdirAll(output, 0o755); err != nil {
		return false, fmt.Errorf("create output folder: %w", err)
	}
	return true, nil
}

// outputPath returns where the result of input goes, and in which format.
func outputPath(input string, opts BatchOptions, toFolder bool) (string, picture.Format, error) {
	out := opts.Output
	if toFolder {
		ext := filepath.Ext(input)
		if _, err := picture.FormatFromPath(input); err != nil {
			ext = ".png"
		}
		if opts.Format != nil {
			ext = opts.Format.Extension()
		}
		out = filepath.Join(opts.Output, strings.TrimSuffix(filepath.Base(input), filepath.Ext(input))+opts.Suffix+ext)
	}
	format, err := picture.FormatFromPath(out)
	if opts.Format != nil {
		format, err = *opts.Format, nil
	}
	if err != nil {
		return out, 0, err
	}
	if !opts.Overwrite && samePath(input, out) {
		return out, 0, fmt.Errorf("%s: %w", out, ErrOutputIsInput)
	}
	return out, format, nil
}

func samePath(a, b string) bool {
	if fa, err := os.Stat(a); err == nil {
		if fb, err := os.Stat(b); err == nil {
			return os.SameFile(fa, fb)
		}
	}
	aa, _ := filepath.Abs(a)
	bb, _ := filepath.Abs(b)
	return aa == bb
}

// restoreFile restores one file into out.
func restoreFile(ctx context.Context, r *Restorer, in, out string, format picture.Format, opts BatchOptions, progress func(float64)) error {
	img, err := picture.Load(in, picture.DecodeOptions{MaxPixels: opts.MaxPixels})
	if err != nil {
		return err
	}
	res, err := r.Restore(ctx, img, opts.Restore, progress)
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	enc := picture.EncodeOptions{Format: format, Quality: opts.Quality}
	if format == picture.JPEG {
		enc.EXIF = readEXIF(in)
	}
	return picture.Save(out, res, picture.SaveOptions{EncodeOptions: enc, Overwrite: opts.Overwrite})
}

// readEXIF returns the EXIF block of a JPEG file, or nil.
func readEXIF(path string) []byte {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	exif, err := picture.ReadEXIF(f)
	if err != nil {
		return nil
	}
	return exif
}
