package k3cloud

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
)

// Credentials are read from the mounted Secret (keys in config.K3CloudSecretKeys). They
// never appear in logs or errors.
type Credentials struct {
	Username  string
	Password  string
	AppID     string
	AppSecret string
}

// ReadCredentials reads the keys the auth mode needs from dir/<key>. Trailing newlines are
// trimmed (Secrets written by hand often end in one).
func ReadCredentials(dir string, mode config.K3CloudAuthMode) (Credentials, error) {
	var c Credentials
	for _, key := range config.K3CloudSecretKeys(mode) {
		b, err := os.ReadFile(filepath.Join(dir, key))
		if err != nil {
			return Credentials{}, fmt.Errorf("cannot read K3Cloud credential %q: %w", key, err)
		}
		v := strings.TrimRight(string(b), "\r\n")
		if v == "" {
			return Credentials{}, fmt.Errorf("cannot use K3Cloud credential %q: it is empty", key)
		}
		switch key {
		case config.SecretKeyUsername:
			c.Username = v
		case config.SecretKeyPassword:
			c.Password = v
		case config.SecretKeyAppID:
			c.AppID = v
		case config.SecretKeyAppSecret:
			c.AppSecret = v
		}
	}
	return c, nil
}
