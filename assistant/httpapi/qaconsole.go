package httpapi

import (
	"embed"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"
)

// The QA console is a static page (plain HTML, CSS and one script, no build step)
// that a reviewer opens at /qa/: it lists flags, shows a transcript with its
// flagged spans highlighted and resolves flags, all through the public API with
// the reviewer's own key. The page holds no data, so it is public; every call it
// makes is authorised like any other API call.

//go:embed qaconsole
var qaAssets embed.FS

// qaCSP is the widget page's policy made stricter: the console's CSS is a file too
// (no inline style either), and no other site may frame it, so a page elsewhere
// cannot trick a reviewer into clicking Confirm or Dismiss.
const qaCSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

func (s *Server) qaAsset(name, contentType string) gin.HandlerFunc {
	body, err := qaAssets.ReadFile("qaconsole/" + name)
	if err != nil {
		panic(fmt.Sprintf("httpapi: embedded QA console asset %s: %v", name, err))
	}
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("Content-Security-Policy", qaCSP)
		h.Set("X-Frame-Options", "DENY") // for browsers that predate frame-ancestors
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "no-cache")
		c.Data(http.StatusOK, contentType, body)
	}
}
