package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/parley-dev/parley/compliance/normalize"
)

// Example is one labelled message: Class is Allow or a block category.
type Example struct {
	Text     string
	Approved bool // legal_action_approved
	Class    string
}

// TrainOptions are the training hyper-parameters. The zero value is not
// usable; start from DefaultTrainOptions.
type TrainOptions struct {
	Buckets uint32  // hashed feature space
	Epochs  int     // passes of stochastic gradient descent
	Rate    float64 // initial learning rate, decayed per epoch
	L2      float64 // weight decay on the weights a step touches
	Seed    uint64  // shuffling; fixed so that training is reproducible
	Folds   int     // cross-validation folds for the threshold
	// MaxFalseBlock is the share of held-out allowed messages the model
	// may block at the threshold it picks.
	MaxFalseBlock float64
}

// DefaultTrainOptions are the options weights.bin is trained with.
var DefaultTrainOptions = TrainOptions{
	Buckets: 1 << 15, Epochs: 30, Rate: 0.005, L2: 1e-3, Seed: 20261122, Folds: 5, MaxFalseBlock: 0.005,
}

// Report describes a training run.
type Report struct {
	Examples, Blocks int
	// Cross-validated figures at the chosen threshold: every example is
	// scored by a model that did not see it.
	CVRecall, CVFalseBlock float64
	Threshold              float32
}

func (r Report) String() string {
	return fmt.Sprintf("%d examples (%d block); threshold %.3f; cross-validated block recall %.3f, false blocks %.3f",
		r.Examples, r.Blocks, r.Threshold, r.CVRecall, r.CVFalseBlock)
}

type featurized struct {
	feats []uint32
	class int
}

// Train fits a model on examples. classes lists the block categories;
// Allow is added as class 0. Training is deterministic: the same examples
// in the same order with the same options give the same model.
func Train(examples []Example, categories []string, opt TrainOptions) (*Model, Report, error) {
	classes := append([]string{Allow}, categories...)
	if len(classes) > maxClasses {
		return nil, Report{}, fmt.Errorf("train: %d classes, at most %d", len(classes), maxClasses)
	}
	index := map[string]int{}
	for i, c := range classes {
		index[c] = i
	}
	var f normalize.Folder
	data := make([]featurized, 0, len(examples))
	rep := Report{Examples: len(examples)}
	for i, e := range examples {
		c, ok := index[e.Class]
		if !ok {
			return nil, Report{}, fmt.Errorf("train: example %d: unknown class %q", i, e.Class)
		}
		if c != 0 {
			rep.Blocks++
		}
		f.Fold(e.Text)
		data = append(data, featurized{feats: AppendFeatures(nil, f.Runes, e.Approved, opt.Buckets), class: c})
	}
	if rep.Blocks == 0 || rep.Blocks == len(data) {
		return nil, Report{}, fmt.Errorf("train: need both allowed and blocked examples")
	}

	// Out-of-fold block probabilities pick the threshold.
	oof := make([]float64, len(data))
	for k := range opt.Folds {
		var train []featurized
		for i, d := range data {
			if i%opt.Folds != k {
				train = append(train, d)
			}
		}
		w := fit(train, len(classes), opt)
		for i := k; i < len(data); i += opt.Folds {
			oof[i] = 1 - w.probs(data[i].feats)[0]
		}
	}
	var allowScores []float64
	for i, d := range data {
		if d.class == 0 {
			allowScores = append(allowScores, oof[i])
		}
	}
	slices.Sort(allowScores)
	slices.Reverse(allowScores)
	// The threshold sits just above the score of the first allowed
	// message beyond the permitted share.
	k := int(opt.MaxFalseBlock * float64(len(allowScores)))
	thr := 0.5
	if k < len(allowScores) {
		thr = max(thr, math.Nextafter(allowScores[k], 2))
	}
	rep.Threshold = float32(thr)
	var hit, fb int
	for i, d := range data {
		blocked := oof[i] >= thr
		switch {
		case d.class != 0 && blocked:
			hit++
		case d.class == 0 && blocked:
			fb++
		}
	}
	rep.CVRecall = float64(hit) / float64(rep.Blocks)
	rep.CVFalseBlock = float64(fb) / float64(len(data)-rep.Blocks)

	w := fit(data, len(classes), opt)
	return w.quantize(classes, opt.Buckets, rep.Threshold), rep, nil
}

// dense is a model under training.
type dense struct {
	nc   int
	bias []float64
	w    []float64 // bucket-major
}

func (d *dense) logits(feats []uint32, dst []float64) []float64 {
	dst = append(dst[:0], d.bias...)
	for _, f := range feats {
		row := d.w[int(f)*d.nc : int(f)*d.nc+d.nc]
		for c, x := range row {
			dst[c] += x
		}
	}
	return dst
}

func (d *dense) probs(feats []uint32) []float64 {
	l := d.logits(feats, nil)
	mx := slices.Max(l)
	var sum float64
	for i := range l {
		l[i] = math.Exp(l[i] - mx)
		sum += l[i]
	}
	for i := range l {
		l[i] /= sum
	}
	return l
}

func fit(data []featurized, nc int, opt TrainOptions) *dense {
	d := &dense{nc: nc, bias: make([]float64, nc), w: make([]float64, int(opt.Buckets)*nc)}
	order := make([]int, len(data))
	for i := range order {
		order[i] = i
	}
	rng := rand.New(rand.NewPCG(opt.Seed, opt.Seed^0x9e3779b97f4a7c15))
	var l []float64
	grad := make([]float64, nc)
	for epoch := range opt.Epochs {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		rate := opt.Rate / (1 + float64(epoch)*0.5)
		for _, i := range order {
			ex := data[i]
			l = d.logits(ex.feats, l)
			mx := slices.Max(l)
			var sum float64
			for c := range l {
				l[c] = math.Exp(l[c] - mx)
				sum += l[c]
			}
			for c := range l {
				grad[c] = l[c] / sum
			}
			grad[ex.class]--
			for c := range nc {
				d.bias[c] -= rate * grad[c]
			}
			for _, f := range ex.feats {
				row := d.w[int(f)*nc : int(f)*nc+nc]
				for c := range row {
					row[c] -= rate * (grad[c] + opt.L2*row[c])
				}
			}
		}
	}
	return d
}

// quantize stores weights as int8 with a scale per class: a quarter of
// the size, and the scores move by well under a percent.
func (d *dense) quantize(classes []string, buckets uint32, thr float32) *Model {
	m := &Model{Classes: classes, Threshold: thr, buckets: buckets,
		bias: make([]float32, d.nc), scale: make([]float32, d.nc), weights: make([]int8, len(d.w))}
	for c := range d.nc {
		m.bias[c] = float32(d.bias[c])
		var mx float64
		for b := c; b < len(d.w); b += d.nc {
			mx = max(mx, math.Abs(d.w[b]))
		}
		if mx == 0 {
			mx = 1
		}
		m.scale[c] = float32(mx / 127)
		for b := c; b < len(d.w); b += d.nc {
			m.weights[b] = int8(math.Round(d.w[b] / mx * 127))
		}
	}
	return m
}
