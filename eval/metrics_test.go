package eval_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/parley-dev/parley/eval"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestConfusion(t *testing.T) {
	c := eval.NewConfusion("a", "b")
	for _, p := range [][2]string{{"a", "a"}, {"a", "b"}, {"b", "b"}, {"b", "b"}, {"a", "a"}} {
		c.Add(p[0], p[1])
	}
	if got := c.Accuracy(); !near(got, 0.8) {
		t.Fatalf("accuracy = %v, want 0.8", got)
	}
	scores := c.PerClass()
	// a: tp 2, fp 0, fn 1 -> p 1, r 2/3; b: tp 2, fp 1, fn 0 -> p 2/3, r 1.
	want := []eval.ClassScore{{"a", 1, 2.0 / 3, 0.8, 3}, {"b", 2.0 / 3, 1, 0.8, 2}}
	for i, w := range want {
		s := scores[i]
		if s.Label != w.Label || !near(s.Precision, w.Precision) || !near(s.Recall, w.Recall) || !near(s.F1, w.F1) || s.Support != w.Support {
			t.Errorf("class %d = %+v, want %+v", i, s, w)
		}
	}
	if got := c.MacroF1(); !near(got, 0.8) {
		t.Errorf("macro F1 = %v, want 0.8", got)
	}
	if !strings.Contains(c.Table(), "gold\\pred") {
		t.Errorf("table lacks header:\n%s", c.Table())
	}
}

func TestMultiLabel(t *testing.T) {
	tests := []struct {
		name      string
		gold      [][]string
		pred      [][]string
		wantMicro float64
	}{
		{"perfect", [][]string{{"x"}, {"y", "z"}}, [][]string{{"x"}, {"z", "y"}}, 1},
		{"half", [][]string{{"x", "y"}}, [][]string{{"x", "z"}}, 0.5},
		{"empty both", [][]string{{}}, [][]string{{}}, 0},
		{"all wrong", [][]string{{"x"}}, [][]string{{"y"}}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := eval.NewMultiLabel()
			for i := range tt.gold {
				m.Add(tt.gold[i], tt.pred[i])
			}
			if got := m.MicroF1(); !near(got, tt.wantMicro) {
				t.Fatalf("micro F1 = %v, want %v", got, tt.wantMicro)
			}
		})
	}
}

func TestLatencyPercentiles(t *testing.T) {
	var l eval.Latency
	for i := 1; i <= 100; i++ {
		l.Add(time.Duration(i) * time.Microsecond)
	}
	for p, want := range map[float64]time.Duration{50: 50 * time.Microsecond, 99: 99 * time.Microsecond, 100: 100 * time.Microsecond} {
		if got := l.Percentile(p); got != want {
			t.Errorf("p%v = %v, want %v", p, got, want)
		}
	}
}

func TestReadCSVMapping(t *testing.T) {
	in := "\ufeffid,TEXT,label\n1,\"hello, world\",0\n2,bye,1\n"
	rows, err := eval.ReadCSV(strings.NewReader(in), map[string]string{"text": "TEXT", "label": "label"})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0]["text"] != "hello, world" || rows[1]["label"] != "1" {
		t.Fatalf("rows = %v", rows)
	}
	if _, err := eval.ReadCSV(strings.NewReader(in), map[string]string{"text": "missing"}); err == nil {
		t.Fatal("want an error for a missing column")
	}
}

func TestThresholds(t *testing.T) {
	if err := eval.Check(eval.Threshold{Name: "recall", Value: 0.9, Min: 0.97}); err == nil {
		t.Error("recall below its minimum must fail")
	}
	if err := eval.Check(eval.Threshold{Name: "false_block", Value: 0.05, Max: 0.03}); err == nil {
		t.Error("false-block above its maximum must fail")
	}
	if err := eval.Check(eval.Threshold{Name: "ok", Value: 0.99, Min: 0.97}); err != nil {
		t.Error(err)
	}
}
