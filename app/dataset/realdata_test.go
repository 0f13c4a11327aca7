package dataset_test

import (
	"os"
	"testing"
	"time"

	"diabolo/app/dataset"
)

// realTrain is the shared folder of training photos, when present.
const realTrain = "../../../shared/data/train" // beside the repository

func TestRealPhotos(t *testing.T) {
	if _, err := os.Stat(realTrain); err != nil {
		t.Skipf("no training photos at %s: %v", realTrain, err)
	}
	start := time.Now()
	d, err := dataset.Open(realTrain, dataset.Options{Patch: 64, ValFraction: 0.05, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	scanned := time.Since(start)
	if n := len(d.Train()) + len(d.Val()); n < 100 {
		t.Fatalf("only %d photos found in %s", n, realTrain)
	}

	const n, p = 16, 64
	buf := make([]float32, n*3*p*p)
	start = time.Now()
	if err := d.NewSampler(1).Fill(buf, n, p); err != nil {
		t.Fatal(err)
	}
	first := time.Since(start)
	var sum float64
	for _, v := range buf {
		if v < 0 || v > 1 {
			t.Fatalf("value %v outside [0, 1]", v)
		}
		sum += float64(v)
	}
	if mean := sum / float64(len(buf)); mean < 0.05 || mean > 0.95 {
		t.Errorf("mean patch value %.3f: not photos", mean)
	}
	crops, err := d.ValCrops(4, 128, 1)
	if err != nil || len(crops) != 4 {
		t.Fatalf("ValCrops: %d crops, %v", len(crops), err)
	}
	if sk := d.Skipped(); len(sk) > 0 {
		t.Errorf("%d photos skipped, first %+v", len(sk), sk[0])
	}
	t.Logf("%s; scan %v, first batch of %d %d×%d patches %v, %d decodes",
		d.Describe(), scanned, n, p, p, first, d.Stats().Loads)
}
