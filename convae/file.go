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
//	         says so, Adam's first and second moments; in version 2
//	         (Model.Half), the parameters alone in IEEE half precision
//	checksum uint32   CRC-32 (Castagnoli) of everything before it
const (
	fileMagic = "DIABOLO\x00"
	// FileVersion is the version of the model file format this package
	// writes for full-precision models; HalfFileVersion for Model.Half.
	FileVersion     = 1
	HalfFileVersion = 2
	maxHeader       = 1 << 20
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
	// Half saves the parameters in IEEE half precision, half the size,
	// for models that are shipped rather than trained further (a
	// checkpoint, with its Optimizer, keeps full precision). Load sets it
	// for such files.
	Half bool
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

// Save writes m to w in the model file format: version FileVersion, or
// HalfFileVersion when m.Half is set. A half-precision model cannot carry
// optimiser state, nor parameters beyond the half-precision range.
func (m *Model) Save(w io.Writer) error {
	n := m.Net
	version := uint32(FileVersion)
	if m.Half {
		if m.Optimizer != nil {
			return errors.New("save model: a checkpoint (with optimiser state) keeps full precision")
		}
		for i, v := range n.params {
			if math.Abs(float64(v)) > maxHalf {
				return fmt.Errorf("save model: parameter value %d (%g) is beyond the half-precision range", i, v)
			}
		}
		version = HalfFileVersion
	}
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
	binary.Write(bw, binary.LittleEndian, [2]uint32{version, uint32(len(hdr))})
	bw.Write(hdr)
	if m.Half {
		writeHalves(bw, n.params)
	} else {
		writeFloats(bw, n.params)
	}
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

func writeHalves(w *bufio.Writer, v []float32) {
	var b [2]byte
	for _, x := range v {
		binary.LittleEndian.PutUint16(b[:], toHalf(x))
		w.Write(b[:])
	}
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
	version := binary.LittleEndian.Uint32(pre[8:])
	if version != FileVersion && version != HalfFileVersion {
		return nil, fmt.Errorf("%w %d (this Diabolo reads versions %d and %d)", ErrVersion, version, FileVersion, HalfFileVersion)
	}
	half := version == HalfFileVersion
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
		if half {
			return nil, fmt.Errorf("%w: optimiser state in a half-precision file", ErrCorrupt)
		}
		count *= 3
	}
	values, err := readValues(tr, count, half)
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
	m := &Model{Net: net, Meta: h.Meta, Half: half}
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

// readValues reads n little-endian float32 values, or half-precision ones
// when half is set, growing its buffer only as data arrives, so a short
// file cannot make it allocate n values.
func readValues(r io.Reader, n int, half bool) ([]float32, error) {
	const chunk = 1 << 16
	size := 4
	if half {
		size = 2
	}
	out := make([]float32, 0, min(n, chunk))
	buf := make([]byte, size*chunk)
	for len(out) < n {
		k := min(n-len(out), chunk)
		if _, err := io.ReadFull(r, buf[:size*k]); err != nil {
			return nil, fmt.Errorf("%w: truncated after %d of %d values", ErrCorrupt, len(out), n)
		}
		for i := 0; i < k; i++ {
			if half {
				out = append(out, fromHalf(binary.LittleEndian.Uint16(buf[2*i:])))
			} else {
				out = append(out, math.Float32frombits(binary.LittleEndian.Uint32(buf[4*i:])))
			}
		}
	}
	return out, nil
}
