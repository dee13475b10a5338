package main

import (
	"bytes"
	"os"
	"testing"

	"github.com/parley-dev/parley/compliance/model"
)

// TestWeightsAreReproducible retrains the model from the committed data and
// compares it with the committed weights.bin: the file must be what
// `go generate ./compliance/model` writes, so that it can be audited and
// rebuilt. After changing the training sets or a pack's examples, run
// that command and commit weights.bin.
func TestWeightsAreReproducible(t *testing.T) {
	examples, err := load("../../testdata")
	if err != nil {
		t.Fatal(err)
	}
	more, err := packExamples("../../packs")
	if err != nil {
		t.Fatal(err)
	}
	examples = append(examples, more...)
	if more, err = playbookParts("../../../assistant/playbook/replies.yaml"); err != nil {
		t.Fatal(err)
	}
	examples = append(examples, more...)
	m, rep, err := model.Train(examples, Categories, model.DefaultTrainOptions)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(rep)
	var got bytes.Buffer
	if err := m.Encode(&got); err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("../weights.bin")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Fatal("compliance/model/weights.bin is not what its training command writes: run `go generate ./compliance/model` and commit it")
	}
}
