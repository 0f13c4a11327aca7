// Package convae is Diabolo's neural-network engine: NCHW float32 tensors,
// convolutional layers with forward and backward passes, losses, the Adam
// optimiser, models described by a declarative Spec and stored in a
// self-describing file, and tiled inference over images of any size.
//
// convae knows nothing of image files or user interfaces: it reads and writes
// planar float32 data.
package convae

import "fmt"

// Shape is the size of an NCHW tensor: batch, channels, height, width.
type Shape struct{ N, C, H, W int }

// Len returns the number of elements of a tensor of this shape.
func (s Shape) Len() int { return s.N * s.C * s.H * s.W }

// String formats s as N×C×H×W.
func (s Shape) String() string { return fmt.Sprintf("%d×%d×%d×%d", s.N, s.C, s.H, s.W) }

// Tensor is a dense NCHW float32 tensor: element (n, c, y, x) is
// Data[((n*C+c)*H+y)*W+x].
type Tensor struct {
	Shape
	Data []float32
}

// NewTensor returns a zeroed tensor of shape s.
func NewTensor(s Shape) *Tensor {
	return &Tensor{Shape: s, Data: make([]float32, s.Len())}
}

// Item returns the C*H*W values of batch item n, sharing storage with t.
func (t *Tensor) Item(n int) []float32 {
	m := t.C * t.H * t.W
	return t.Data[n*m : (n+1)*m : (n+1)*m]
}

// Zero sets every element of t to 0.
func (t *Tensor) Zero() { clear(t.Data) }

// reshape points t at a storage of at least s.Len() elements, reusing t.Data
// when it is large enough, and sets its shape to s. Contents are unspecified.
func (t *Tensor) reshape(s Shape) {
	n := s.Len()
	if cap(t.Data) < n {
		t.Data = make([]float32, n)
	}
	t.Data = t.Data[:n]
	t.Shape = s
}
