// Package corruption reads the corruption specs that training and
// evaluation take: the noise kinds of app/noise and the visible watermarks
// of app/watermark, chained with "+", as in "watermark:text+jpeg:85".
package corruption

import (
	"fmt"
	"strings"

	"diabolo/app/noise"
	"diabolo/app/watermark"
)

// Parse returns the model a spec describes. Steps apply in order;
// alternatives separated by '|' are drawn one per Apply (a noise.Choice).
// Errors wrap noise.ErrBadSpec and name the spec.
func Parse(spec string) (noise.Model, error) {
	return noise.ParseChoice(spec, parseChain)
}

// parseChain parses one alternative of a spec: steps joined by '+'.
func parseChain(spec string) (noise.Model, error) {
	steps := strings.Split(spec, "+")
	chain := make(noise.Chain, 0, len(steps))
	for _, step := range steps {
		kind, _, _ := strings.Cut(step, ":")
		parse := noise.Parse
		if strings.EqualFold(strings.TrimSpace(kind), watermark.Kind) {
			parse = watermark.ParseSpec
		}
		m, err := parse(step)
		if err != nil {
			if len(steps) > 1 {
				return nil, fmt.Errorf("corruption %q: %w", spec, err)
			}
			return nil, err
		}
		chain = append(chain, m)
	}
	if len(chain) == 1 {
		return chain[0], nil
	}
	return chain, nil
}
