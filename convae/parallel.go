package convae

import "sync"

// parallel splits [0, n) into at most len(ws) contiguous ranges, in order,
// and runs fn(w, lo, hi) for range w on worker w, the first on the calling
// goroutine. The split depends only on n and the worker count, so results
// that are reduced in worker order are deterministic.
func parallel(ws []*worker, n int, fn func(w *worker, lo, hi int)) {
	k := min(len(ws), n)
	if k <= 1 {
		if n > 0 {
			fn(ws[0], 0, n)
		}
		return
	}
	var wg sync.WaitGroup
	wg.Add(k - 1)
	for i := 1; i < k; i++ {
		go func(i int) {
			defer wg.Done()
			fn(ws[i], i*n/k, (i+1)*n/k)
		}(i)
	}
	fn(ws[0], 0, n/k)
	wg.Wait()
}
