package convae

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	"hash/crc32"
	"io"
	"math"
	"slices"
	"time"
)

// A model file is, in order:
//
//	magic    8 bytes  "DIABOLO\x00"
//	version  uint32   little-endian, FileVersion
//	hlen     uint32   length of the header, at most maxHeader
//	header   hlen bytes of JSON: fileHeader (spec, metadata, parameter table)
//	values   float32 little-endian: the parameters, then, when the header
//	         says so, Adam's first and second moments
//	checksum uint32   CRC-32 (Castagnoli) of everything before it
const (
	fileMagic = "DIABOLO\x00"
	// FileVersion is the version of the model file format this package writes.
	FileVersion = 1
	maxHeader   = 1 << 20
)

// Errors that callers may tell apart; each is wrapped with details.
var (
	// ErrNotModel reports a file that is not a Diabolo model at all.
	ErrNotModel = errors.New("not a Diabolo model file")
	// ErrVersion reports a model file of a version this package cannot read.
	ErrVersion = errors.New("unsupported model file version")
	// ErrCorrupt reports a damaged or truncated model file.
	ErrCorrupt = errors.New("corrupted model file")
)

// Metadata describes how a model was trained.
type Metadata struct {
	Task         string    `json:"task,omitempty"`  // "denoise" or "watermark"
	Noise        string    `json:"noise,omitempty"` // corruption model used in training, as text
	Mode         string    `json:"mode,omitempty"`  // "supervised" or "self-supervised"
	Loss         string    `json:"loss,omitempty"`
	Steps        int       `json:"steps,omitempty"`
	Patch        int       `json:"patch,omitempty"`
	Batch        int       `json:"batch,omitempty"`
	Data         string    `json:"data,omitempty"` // description of the training data
	ValPSNR      float64   `json:"val_psnr,omitempty"`
	TrainSeconds float64   `json:"train_seconds,omitempty"`
	Created      time.Time `json:"created,omitzero"`
	Notes        string    `json:"notes,omitempty"`
	// Brush marks a watermark model trained for marks painted over (with
	// every training mark painted into its mask channel): it removes what
	// a brush mask shows and leaves unpainted pictures alone.
	Brush bool `json:"brush,omitempty"`
}

// Model is a network with its training metadata and, in checkpoints, the
// optimiser state needed to resume training exactly.
type Model struct {
	Net  *Net
	Meta Metadata
	// Optimizer, when not nil, is saved with the model and restored by
	// Load, so that training can resume where it stopped.
	Optimizer *Adam
}

// fileHeader is the JSON header of a model file.
type fileHeader struct {
	Spec      Spec        `json:"spec"`
	Meta      Metadata    `json:"meta"`
	Params    []paramHead `json:"params"`
	Adam      *adamHead   `json:"adam,omitempty"`
	NumValues int         `json:"values"`
}

type paramHead struct {
	Name  string `json:"name"`
	Shape []int  `json:"shape"`
}

type adamHead struct {
	LR, Beta1, Beta2, Eps, WeightDecay float64
	Decoupled                          bool
	Step                               int
}

// Save writes m to w in the model file format.
func (m *Model) Save(w io.Writer) error {
	n := m.Net
	h := fileHeader{Spec: n.spec, Meta: m.Meta, NumValues: len(n.params)}
	for _, p := range n.infos {
		h.Params = append(h.Params, paramHead{p.Name, p.Shape})
	}
	if a := m.Optimizer; a != nil {
		h.Adam = &adamHead{a.LR, a.Beta1, a.Beta2, a.Eps, a.WeightDecay, a.Decoupled, a.step}
	}
	hdr, err := json.Marshal(h)
	if err != nil {
		return fmt.Errorf("encode model header: %w", err)
	}
	if len(hdr) > maxHeader {
		return fmt.Errorf("model header of %d bytes is larger than %d", len(hdr), maxHeader)
	}
	crc := crc32.New(crc32.MakeTable(crc32.Castagnoli))
	bw := bufio.NewWriter(io.MultiWriter(w, crc))
	bw.WriteString(fileMagic)
	binary.Write(bw, binary.LittleEndian, [2]uint32{FileVersion, uint32(len(hdr))})
	bw.Write(hdr)
	writeFloats(bw, n.params)
	if a := m.Optimizer; a != nil {
		writeFloats(bw, a.m)
		writeFloats(bw, a.v)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write model: %w", err)
	}
	if err := binary.Write(w, binary.LittleEndian, crc.Sum32()); err != nil {
		return fmt.Errorf("write model: %w", err)
	}
	return nil
}

func writeFloats(w *bufio.Writer, v []float32) {
	var b [4]byte
	for _, x := range v {
		binary.LittleEndian.PutUint32(b[:], math.Float32bits(x))
		w.Write(b[:])
	}
}

// Load reads a model written by Save. A file that is not a model, of
// another version, truncated, damaged, or describing an invalid or
// oversized network gives an error wrapping ErrNotModel, ErrVersion,
// ErrCorrupt or ErrBadSpec; Load never allocates much more than the file
// holds.
func Load(r io.Reader) (*Model, error) {
	crc := crc32.New(crc32.MakeTable(crc32.Castagnoli))
	br := bufio.NewReader(r)
	tr := io.TeeReader(br, crc)
	var pre [16]byte
	if n, err := io.ReadFull(tr, pre[:]); err != nil {
		if n < len(fileMagic) || string(pre[:len(fileMagic)]) != fileMagic[:min(n, len(fileMagic))] {
			return nil, fmt.Errorf("%w (%d bytes)", ErrNotModel, n)
		}
		return nil, fmt.Errorf("%w: truncated in the preamble", ErrCorrupt)
	}
	if string(pre[:8]) != fileMagic {
		return nil, ErrNotModel
	}
	if v := binary.LittleEndian.Uint32(pre[8:]); v != FileVersion {
		return nil, fmt.Errorf("%w %d (this Diabolo reads version %d)", ErrVersion, v, FileVersion)
	}
	hlen := binary.LittleEndian.Uint32(pre[12:])
	if hlen == 0 || hlen > maxHeader {
		return nil, fmt.Errorf("%w: header of %d bytes", ErrCorrupt, hlen)
	}
	hdr := make([]byte, hlen)
	if _, err := io.ReadFull(tr, hdr); err != nil {
		return nil, fmt.Errorf("%w: truncated header", ErrCorrupt)
	}
	var h fileHeader
	dec := json.NewDecoder(bytes.NewReader(hdr))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&h); err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrCorrupt, err)
	}
	infos, err := h.Spec.Params()
	if err != nil {
		return nil, err
	}
	if err := checkParamTable(infos, h.Params, h.NumValues); err != nil {
		return nil, err
	}
	count := h.NumValues
	if h.Adam != nil {
		count *= 3
	}
	values, err := readFloats(tr, count)
	if err != nil {
		return nil, err
	}
	sum := crc.Sum32()
	var stored uint32
	if err := binary.Read(br, binary.LittleEndian, &stored); err != nil {
		return nil, fmt.Errorf("%w: truncated before the checksum", ErrCorrupt)
	}
	if stored != sum {
		return nil, fmt.Errorf("%w: checksum mismatch", ErrCorrupt)
	}
	for i, v := range values {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, fmt.Errorf("%w: value %d is %v", ErrCorrupt, i, v)
		}
	}
	net, err := newNet(h.Spec)
	if err != nil {
		return nil, err
	}
	copy(net.params, values[:h.NumValues])
	m := &Model{Net: net, Meta: h.Meta}
	if a := h.Adam; a != nil {
		if a.Step < 0 || !(a.LR >= 0) || !(a.Beta1 >= 0 && a.Beta1 < 1) || !(a.Beta2 >= 0 && a.Beta2 < 1) || !(a.Eps > 0) {
			return nil, fmt.Errorf("%w: bad optimiser settings", ErrCorrupt)
		}
		opt := NewAdam(a.LR, h.NumValues)
		opt.Beta1, opt.Beta2, opt.Eps, opt.WeightDecay, opt.Decoupled = a.Beta1, a.Beta2, a.Eps, a.WeightDecay, a.Decoupled
		opt.SetState(values[h.NumValues:2*h.NumValues], values[2*h.NumValues:], a.Step)
		m.Optimizer = opt
	}
	return m, nil
}

// checkParamTable verifies that the header's parameter table is the one
// the spec implies.
func checkParamTable(infos []ParamInfo, table []paramHead, values int) error {
	if len(table) != len(infos) {
		return fmt.Errorf("%w: %d parameter tensors listed, the network has %d", ErrCorrupt, len(table), len(infos))
	}
	total := 0
	for i, p := range infos {
		if table[i].Name != p.Name || !slices.Equal(table[i].Shape, p.Shape) {
			return fmt.Errorf("%w: parameter %d is %s %v, the network has %s %v", ErrCorrupt, i, table[i].Name, table[i].Shape, p.Name, p.Shape)
		}
		total += p.Len()
	}
	if values != total {
		return fmt.Errorf("%w: %d values listed, the network has %d", ErrCorrupt, values, total)
	}
	return nil
}

// readFloats reads n little-endian float32 values, growing its buffer only
// as data arrives, so a short file cannot make it allocate n values.
func readFloats(r io.Reader, n int) ([]float32, error) {
	const chunk = 1 << 16
	out := make([]float32, 0, min(n, chunk))
	buf := make([]byte, 4*chunk)
	for len(out) < n {
		k := min(n-len(out), chunk)
		if _, err := io.ReadFull(r, buf[:4*k]); err != nil {
			return nil, fmt.Errorf("%w: truncated after %d of %d values", ErrCorrupt, len(out), n)
		}
		for i := 0; i < k; i++ {
			out = append(out, math.Float32frombits(binary.LittleEndian.Uint32(buf[4*i:])))
		}
	}
	return out, nil
}
