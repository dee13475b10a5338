package openaitest_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/parley-dev/parley/assistant/openai/openaitest"
)

func client(srv *openaitest.Server) *goopenai.Client {
	cc := goopenai.DefaultConfig("sk-fake")
	cc.BaseURL = srv.URL
	return goopenai.NewClientWithConfig(cc)
}

func chatReq() goopenai.ChatCompletionRequest {
	return goopenai.ChatCompletionRequest{Model: "m", Messages: []goopenai.ChatCompletionMessage{
		{Role: "system", Content: "be kind"}, {Role: "user", Content: "hello"},
	}}
}

func TestScriptOrderAndRecording(t *testing.T) {
	srv := openaitest.NewServer(t, openaitest.Text("one"), openaitest.Status(500), openaitest.Text("last"))
	c := client(srv)
	var got []string
	for range 5 {
		resp, err := c.CreateChatCompletion(context.Background(), chatReq())
		if err != nil {
			var apiErr *goopenai.APIError
			if !errors.As(err, &apiErr) || apiErr.HTTPStatusCode != 500 {
				t.Fatalf("err = %v", err)
			}
			got = append(got, "500")
			continue
		}
		got = append(got, resp.Choices[0].Message.Content)
	}
	if strings.Join(got, ",") != "one,500,last,last,last" {
		t.Fatalf("answers %v", got)
	}
	if srv.Calls() != 5 {
		t.Fatalf("%d calls", srv.Calls())
	}
	r, _ := srv.Last()
	if r.Model != "m" || r.Content("system") != "be kind" || r.Content("user") != "hello" || r.Authorization != "Bearer sk-fake" || r.WantsJSON() {
		t.Fatalf("recorded %+v", r)
	}
	srv.SetScript(openaitest.Text("again"))
	if resp, err := c.CreateChatCompletion(context.Background(), chatReq()); err != nil || resp.Choices[0].Message.Content != "again" {
		t.Fatalf("after SetScript: %v %v", resp, err)
	}
}

func TestGoodAnswersByRequestKind(t *testing.T) {
	srv := openaitest.NewServer(t)
	c := client(srv)
	req := chatReq()
	resp, err := c.CreateChatCompletion(context.Background(), req)
	if err != nil || resp.Choices[0].Message.Content != openaitest.GoodReply {
		t.Fatalf("text: %v %v", resp, err)
	}
	req.ResponseFormat = &goopenai.ChatCompletionResponseFormat{Type: goopenai.ChatCompletionResponseFormatTypeJSONObject}
	resp, err = c.CreateChatCompletion(context.Background(), req)
	if err != nil || resp.Choices[0].Message.Content != openaitest.GoodAnalysisJSON {
		t.Fatalf("json: %v %v", resp, err)
	}
}

func TestStream(t *testing.T) {
	text := "你好，Alex！We can split it into three payments."
	srv := openaitest.NewServer(t, openaitest.Text(text), openaitest.Truncated(text))
	c := client(srv)
	read := func() (string, int, goopenai.FinishReason, error) {
		s, err := c.CreateChatCompletionStream(context.Background(), chatReq())
		if err != nil {
			return "", 0, "", err
		}
		defer s.Close()
		var b strings.Builder
		n := 0
		var finish goopenai.FinishReason
		for {
			chunk, err := s.Recv()
			if errors.Is(err, io.EOF) {
				return b.String(), n, finish, nil
			}
			if err != nil {
				return b.String(), n, finish, err
			}
			for _, ch := range chunk.Choices {
				if ch.Delta.Content != "" {
					b.WriteString(ch.Delta.Content)
					n++
				}
				if ch.FinishReason != "" {
					finish = ch.FinishReason
				}
			}
		}
	}
	got, n, finish, err := read()
	if err != nil || got != text || n < 2 || finish != goopenai.FinishReasonStop {
		t.Fatalf("stream: %q in %d pieces, finish %q, %v", got, n, finish, err)
	}
	if strings.Join(openaitest.Chunks(text), "") != text {
		t.Fatal("Chunks loses text")
	}
	got, _, finish, err = read()
	if err == nil && finish != "" || len(got) >= len(text) {
		t.Fatalf("truncated stream: %q, finish %q, %v", got, finish, err)
	}
	if r, _ := srv.Last(); !r.Stream {
		t.Error("stream not recorded")
	}
}

func TestHangEndsWithTheClient(t *testing.T) {
	srv := openaitest.NewServer(t, openaitest.Hang())
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := client(srv).CreateChatCompletion(ctx, chatReq()); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	if time.Since(start) > time.Second {
		t.Fatal("hang outlived the client's deadline")
	}
}

func TestRateLimitedHeaders(t *testing.T) {
	srv := openaitest.NewServer(t, openaitest.RateLimited(1500*time.Millisecond))
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/chat/completions", strings.NewReader(`{"model":"m","messages":[]}`))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "2" || resp.Header.Get("Retry-After-Ms") != "1500" {
		t.Fatalf("status %d headers %v", resp.StatusCode, resp.Header)
	}
}

func TestEmbeddings(t *testing.T) {
	srv := openaitest.NewServer(t, openaitest.Status(500)) // the script is for chat only
	c := client(srv)
	resp, err := c.CreateEmbeddings(context.Background(), goopenai.EmbeddingRequestStrings{Input: []string{"a", "b", "a"}, Model: "e"})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Data) != 3 || len(resp.Data[0].Embedding) != openaitest.EmbeddingDimension {
		t.Fatalf("data %+v", resp.Data)
	}
	for i := range resp.Data[0].Embedding {
		if resp.Data[0].Embedding[i] != resp.Data[2].Embedding[i] {
			t.Fatal("same text, different vectors")
		}
	}
	r, _ := srv.Last()
	if r.Path != "/v1/embeddings" || strings.Join(r.Input, ",") != "a,b,a" {
		t.Fatalf("recorded %+v", r)
	}
}
