package main

import (
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/parley-dev/parley/assistant/httpapi"
)

// config is everything the environment decides. Secrets never print: see String.
type config struct {
	Addr        string
	DatabaseURL string
	LLMBaseURL  string
	LLMAPIKey   string
	LLMModel    string
	LLMTimeout  time.Duration
	EmbedModel  string
	EmbedDim    int
	APIKeys     []httpapi.APIKey
	Env         string
	LogLevel    slog.Level
	NoMigrate   bool
	// WidgetKey signs chat-widget tokens; empty: a random key per start.
	WidgetKey []byte
	// PublicURL is the external base URL used in widget links; empty: relative links.
	PublicURL string
	// WidgetOrigins may call the widget message route cross-origin; empty: same origin only.
	WidgetOrigins []string
}

func loadConfig(getenv func(string) string) (config, error) {
	cfg := config{
		Addr:        getenv("PARLEY_ADDR"),
		DatabaseURL: getenv("PARLEY_DATABASE_URL"),
		LLMBaseURL:  getenv("PARLEY_LLM_BASE_URL"),
		LLMAPIKey:   getenv("PARLEY_LLM_API_KEY"),
		LLMModel:    getenv("PARLEY_LLM_MODEL"),
		EmbedModel:  getenv("PARLEY_EMBED_MODEL"),
		Env:         getenv("PARLEY_ENV"),
		LLMTimeout:  20 * time.Second,
		NoMigrate:   getenv("PARLEY_NO_MIGRATE") == "1" || getenv("PARLEY_NO_MIGRATE") == "true",
	}
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:8080"
	}
	if cfg.Env == "" {
		cfg.Env = "development"
	}
	if v := getenv("PARLEY_LLM_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return cfg, fmt.Errorf("PARLEY_LLM_TIMEOUT=%q: want a positive duration such as 20s", v)
		}
		cfg.LLMTimeout = d
	}
	if v := getenv("PARLEY_EMBED_DIMENSION"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 || n > 2000 {
			return cfg, fmt.Errorf("PARLEY_EMBED_DIMENSION=%q: want the model's vector length, 1..2000", v)
		}
		cfg.EmbedDim = n
	}
	if cfg.EmbedModel != "" && cfg.EmbedDim == 0 {
		return cfg, fmt.Errorf("PARLEY_EMBED_MODEL is set: PARLEY_EMBED_DIMENSION must give its vector length (e.g. 1536)")
	}
	if (cfg.LLMModel != "" || cfg.EmbedModel != "") && cfg.LLMBaseURL == "" {
		return cfg, fmt.Errorf("PARLEY_LLM_MODEL or PARLEY_EMBED_MODEL is set without PARLEY_LLM_BASE_URL")
	}
	if v := getenv("PARLEY_LOG_LEVEL"); v != "" {
		if err := cfg.LogLevel.UnmarshalText([]byte(v)); err != nil {
			return cfg, fmt.Errorf("PARLEY_LOG_LEVEL=%q: want debug, info, warn or error", v)
		}
	}
	if v := getenv("PARLEY_WIDGET_KEY"); v != "" {
		if len(v) < httpapi.WidgetKeyMinBytes {
			return cfg, fmt.Errorf("PARLEY_WIDGET_KEY is shorter than %d characters (e.g. openssl rand -base64 48)", httpapi.WidgetKeyMinBytes)
		}
		cfg.WidgetKey = []byte(v)
	}
	if v := strings.TrimRight(getenv("PARLEY_PUBLIC_URL"), "/"); v != "" {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return cfg, fmt.Errorf("PARLEY_PUBLIC_URL=%q: want an absolute http(s) URL such as https://parley.example.com", v)
		}
		cfg.PublicURL = v
	}
	for _, o := range strings.Split(getenv("PARLEY_WIDGET_ORIGINS"), ",") {
		if o = strings.TrimSpace(o); o == "" {
			continue
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || o == "*" {
			return cfg, fmt.Errorf("PARLEY_WIDGET_ORIGINS: %q is not an origin such as https://shop.example.com", o)
		}
		cfg.WidgetOrigins = append(cfg.WidgetOrigins, u.Scheme+"://"+u.Host)
	}
	keys, err := parseAPIKeys(getenv("PARLEY_API_KEYS"))
	if err != nil {
		return cfg, err
	}
	cfg.APIKeys = keys
	if cfg.Env == "production" {
		if len(cfg.APIKeys) == 0 {
			return cfg, fmt.Errorf("PARLEY_ENV=production requires PARLEY_API_KEYS")
		}
		if cfg.DatabaseURL == "" {
			return cfg, fmt.Errorf("PARLEY_ENV=production requires PARLEY_DATABASE_URL (the in-memory store loses everything on exit)")
		}
		if len(cfg.WidgetKey) == 0 {
			return cfg, fmt.Errorf("PARLEY_ENV=production requires PARLEY_WIDGET_KEY (a random key would void every widget link at each restart and differ between replicas)")
		}
	}
	return cfg, nil
}

// parseAPIKeys reads "role:key,role:key".
func parseAPIKeys(v string) ([]httpapi.APIKey, error) {
	var keys []httpapi.APIKey
	for _, item := range strings.Split(v, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		role, key, ok := strings.Cut(item, ":")
		r := httpapi.Role(strings.TrimSpace(role))
		if !ok || strings.TrimSpace(key) == "" {
			return nil, fmt.Errorf("PARLEY_API_KEYS: entry %d is not role:key", len(keys)+1)
		}
		if r != httpapi.RoleAgent && r != httpapi.RoleQA && r != httpapi.RoleAdmin {
			return nil, fmt.Errorf("PARLEY_API_KEYS: role %q must be agent, qa or admin", role)
		}
		if len(strings.TrimSpace(key)) < 16 {
			return nil, fmt.Errorf("PARLEY_API_KEYS: the %s key is shorter than 16 characters", r)
		}
		if strings.HasPrefix(strings.TrimSpace(key), httpapi.WidgetTokenPrefix) {
			// The server reads such a bearer as a widget token, never as an API key.
			return nil, fmt.Errorf("PARLEY_API_KEYS: the %s key starts with %q, the prefix of chat-widget tokens, so it could never authenticate; choose another key", r, httpapi.WidgetTokenPrefix)
		}
		keys = append(keys, httpapi.APIKey{Role: r, Key: strings.TrimSpace(key)})
	}
	return keys, nil
}

// String hides secrets, so a config in a log line or an error leaks nothing.
func (c config) String() string {
	return fmt.Sprintf("addr=%s env=%s database=%t llm=%q model=%q llm_key=%t embed_model=%q api_keys=%d widget_key=%t public_url=%q",
		c.Addr, c.Env, c.DatabaseURL != "", c.LLMBaseURL, c.LLMModel, c.LLMAPIKey != "", c.EmbedModel, len(c.APIKeys), len(c.WidgetKey) > 0, c.PublicURL)
}
