package noise

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// The kinds of model a spec can name.
const (
	kindNone            = "none"
	kindQuantize        = "quantize"
	kindGaussian        = "gaussian"
	kindPoissonGaussian = "poisson-gaussian"
	kindSaltPepper      = "salt-pepper"
	kindSpeckle         = "speckle"
	kindJPEG            = "jpeg"
)

// examplePoissonGaussian is a valid spec of kind poisson-gaussian.
const examplePoissonGaussian = "poisson-gaussian:0.01,0.0004"

// Separators of the spec syntax.
const (
	stepSeparator   = "+"
	choiceSeparator = "|"
	paramSeparator  = ":"
	pairSeparator   = ","
)

// ErrBadSpec is wrapped by every error Parse returns.
var ErrBadSpec = errors.New("bad noise spec")

// specError reports why a spec was rejected.
type specError struct {
	spec, reason string
}

// Error returns, for example, `noise "gaussian:abc": sigma "abc" is not a number`.
func (e *specError) Error() string {
	return fmt.Sprintf("noise %q: %s", e.spec, e.reason)
}

// Unwrap makes errors.Is(err, ErrBadSpec) hold.
func (e *specError) Unwrap() error { return ErrBadSpec }

// kind is one entry of the table of model kinds.
type kind struct {
	name string
	// example is a valid spec of this kind; it has a ':' if the kind takes
	// parameters.
	example string
	// parse builds the model from the (non-empty) text after the ':'; it is
	// nil for kinds without parameters, whose only model is zero.
	parse func(params string) (Model, error)
	zero  Model
}

// kinds lists every kind of model, in the order error messages name them.
// It is never modified.
var kinds = [...]kind{
	{name: kindNone, example: "none", zero: None{}},
	{name: kindQuantize, example: "quantize", zero: Quantize{}},
	{name: kindGaussian, example: "gaussian:25", parse: parseGaussian},
	{name: kindPoissonGaussian, example: examplePoissonGaussian, parse: parsePoissonGaussian},
	{name: kindSaltPepper, example: "salt-pepper:0.05", parse: parseSaltPepper},
	{name: kindSpeckle, example: "speckle:0.04", parse: parseSpeckle},
	{name: kindJPEG, example: "jpeg:75-95", parse: parseJPEG},
}

// Parse returns the model described by spec: one or more steps joined by '+'
// and applied in order (a Chain), each step a kind with its parameters after
// a ':'. Every numeric parameter may be a single value, or a range "lo-hi"
// drawn uniformly at each Apply. Numbers are plain decimals (an exponent
// such as 1e-5 is accepted when it has no '+').
//
//	none                          no noise
//	quantize                      round to 8 bits
//	gaussian:25                   Gaussian, σ = 25 on the 0–255 scale
//	gaussian:0-50                 σ drawn in [0, 50] (blind training)
//	poisson-gaussian:0.01,0.0004  variance a·s + b on the 0–1 scale
//	poisson-gaussian:0.001-0.02,0-0.001
//	salt-pepper:0.05              5% of pixels black or white
//	speckle:0.04                  multiplicative, variance 0.04
//	jpeg:30                       JPEG round trip at quality 30 (1–100)
//	jpeg:75-95                    quality drawn among 75…95
//	gaussian:25+jpeg:90           noise, then compression
//	gaussian:25+quantize          the evaluation protocol
//	gaussian:0-50+quantize | gaussian:0-50+jpeg:75-95
//	                              one of the alternatives, drawn per Apply
//
// Kinds are case-insensitive and spaces around steps and parameters are
// ignored. The error for a bad spec names it and says what is wrong; it
// wraps ErrBadSpec.
func Parse(spec string) (Model, error) {
	return ParseChoice(spec, parseChain)
}

// ParseChoice parses a spec made of alternatives separated by '|' (a
// Choice), each parsed by parseAlternative; a spec without '|' is returned
// as parseAlternative makes it. An error of parseAlternative is wrapped
// with the whole spec when there are alternatives.
func ParseChoice(spec string, parseAlternative func(string) (Model, error)) (Model, error) {
	parts := strings.Split(spec, choiceSeparator)
	if len(parts) == 1 {
		return parseAlternative(spec)
	}
	choice := make(Choice, len(parts))
	for i, part := range parts {
		m, err := parseAlternative(strings.TrimSpace(part))
		if err != nil {
			return nil, fmt.Errorf("alternatives %q: %w", spec, err)
		}
		choice[i] = m
	}
	return choice, nil
}

// parseChain parses one alternative of a spec: steps joined by '+'.
func parseChain(spec string) (Model, error) {
	steps := strings.Split(spec, stepSeparator)
	chain := make(Chain, 0, len(steps))
	for _, step := range steps {
		m, err := parseStep(step)
		if err != nil {
			return nil, &specError{spec: spec, reason: err.Error()}
		}
		chain = append(chain, m)
	}
	if len(chain) == 1 {
		return chain[0], nil
	}
	return chain, nil
}

// parseStep parses one step of a spec, such as "gaussian:25".
func parseStep(step string) (Model, error) {
	name, params, hasParams := strings.Cut(step, paramSeparator)
	name = strings.ToLower(strings.TrimSpace(name))
	params = strings.TrimSpace(params)
	if name == "" {
		return nil, errors.New("empty step")
	}
	for _, k := range kinds {
		if k.name != name {
			continue
		}
		if k.parse == nil {
			if hasParams {
				return nil, fmt.Errorf("%s takes no parameter", name)
			}
			return k.zero, nil
		}
		if params == "" {
			return nil, fmt.Errorf("%s needs a parameter, as in %q", name, k.example)
		}
		return k.parse(params)
	}
	return nil, fmt.Errorf("unknown kind %q (known kinds: %s)", name, knownKinds())
}

// knownKinds lists the names of all kinds, comma-separated.
func knownKinds() string {
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = k.name
	}
	return strings.Join(names, ", ")
}

// parseGaussian parses the parameters of "gaussian:SIGMA".
func parseGaussian(params string) (Model, error) {
	sigma, err := parseRange("sigma", params, 0, math.Inf(1))
	return Gaussian{Sigma: sigma}, err
}

// parsePoissonGaussian parses the parameters of "poisson-gaussian:A,B".
func parsePoissonGaussian(params string) (Model, error) {
	pair := strings.Split(params, pairSeparator)
	if len(pair) != 2 {
		return nil, fmt.Errorf("%s takes two parameters a,b, as in %q", kindPoissonGaussian, examplePoissonGaussian)
	}
	a, err := parseRange("a", strings.TrimSpace(pair[0]), 0, math.Inf(1))
	if err != nil {
		return nil, err
	}
	b, err := parseRange("b", strings.TrimSpace(pair[1]), 0, math.Inf(1))
	return PoissonGaussian{A: a, B: b}, err
}

// parseSaltPepper parses the parameters of "salt-pepper:FRACTION".
func parseSaltPepper(params string) (Model, error) {
	fraction, err := parseRange("fraction", params, 0, 1)
	return SaltPepper{Fraction: fraction}, err
}

// parseSpeckle parses the parameters of "speckle:VARIANCE".
func parseSpeckle(params string) (Model, error) {
	variance, err := parseRange("variance", params, 0, math.Inf(1))
	return Speckle{Variance: variance}, err
}

// parseJPEG parses the parameters of "jpeg:QUALITY".
func parseJPEG(params string) (Model, error) {
	lo, hi := splitRange(params)
	minQuality, err := parseQuality(lo)
	if err != nil {
		return nil, err
	}
	maxQuality := minQuality
	if hi != "" {
		if maxQuality, err = parseQuality(hi); err != nil {
			return nil, err
		}
		if minQuality > maxQuality {
			return nil, fmt.Errorf("quality range %s is reversed", params)
		}
	}
	return JPEG{MinQuality: minQuality, MaxQuality: maxQuality}, nil
}

// parseQuality parses a JPEG quality, a whole number in 1–100.
func parseQuality(text string) (int, error) {
	q, err := strconv.Atoi(text)
	if err != nil {
		return 0, fmt.Errorf("quality %q is not a whole number", text)
	}
	if q < minJPEGQuality || q > maxJPEGQuality {
		return 0, fmt.Errorf("quality %d is outside %d-%d", q, minJPEGQuality, maxJPEGQuality)
	}
	return q, nil
}

// parseRange parses "v" or "lo-hi" into a Range whose ends lie in
// [lowest, highest]; name is the parameter's name for error messages.
func parseRange(name, text string, lowest, highest float64) (Range, error) {
	lo, hi := splitRange(text)
	minimum, err := parseNumber(name, lo, lowest, highest)
	if err != nil {
		return Range{}, err
	}
	if hi == "" {
		return Fixed(minimum), nil
	}
	maximum, err := parseNumber(name, hi, lowest, highest)
	if err != nil {
		return Range{}, err
	}
	if minimum > maximum {
		return Range{}, fmt.Errorf("%s range %s is reversed", name, text)
	}
	return Range{Min: minimum, Max: maximum}, nil
}

// splitRange splits "lo-hi" at its dash; hi is "" if text is a single value.
// A leading minus sign and the sign of an exponent ("1e-5") are not dashes.
func splitRange(text string) (lo, hi string) {
	for i := 1; i < len(text); i++ {
		if text[i] == '-' && text[i-1] != 'e' && text[i-1] != 'E' {
			return strings.TrimSpace(text[:i]), strings.TrimSpace(text[i+1:])
		}
	}
	return text, ""
}

// parseNumber parses a finite number in [lowest, highest].
func parseNumber(name, text string, lowest, highest float64) (float64, error) {
	v, err := strconv.ParseFloat(text, 64)
	switch {
	case err != nil:
		return 0, fmt.Errorf("%s %q is not a number", name, text)
	case math.IsNaN(v) || math.IsInf(v, 0):
		return 0, fmt.Errorf("%s %q is not a finite number", name, text)
	case v < lowest && lowest == 0:
		return 0, fmt.Errorf("%s %s is negative", name, text)
	case v < lowest || v > highest:
		return 0, fmt.Errorf("%s %s is outside %s-%s", name, text, formatNumber(lowest), formatNumber(highest))
	}
	if v == 0 {
		v = 0 // no "-0" in canonical specs
	}
	return v, nil
}
