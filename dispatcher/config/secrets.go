package config

// Secret keys. A Secret referenced by a custom resource must hold these keys; the operator
// checks they are present (CredentialsResolved) and mounts the Secret as a directory, and
// the dispatcher reads <dir>/<key>.
const (
	// K3Cloud: Signature, AppSecret and Sign modes use username + appID + appSecret;
	// Password mode uses username + password.
	SecretKeyUsername  = "username"
	SecretKeyPassword  = "password"
	SecretKeyAppID     = "appID"
	SecretKeyAppSecret = "appSecret"

	// Supplier HTTP auth.
	SecretKeyToken      = "token"      // Bearer
	SecretKeyAPIKey     = "apiKey"     // APIKey
	SecretKeyHMACSecret = "hmacSecret" // HMAC, and webhook intake
	// SecretKeyCallbackSecret verifies supplier shipment callbacks.
	SecretKeyCallbackSecret = "callbackSecret"
	// SecretKeyBearerToken authenticates webhook intake with a bearer token.
	SecretKeyBearerToken = "bearerToken"
	// SecretKeyDSN is the PostgreSQL connection string.
	SecretKeyDSN = "dsn"
)

// K3CloudSecretKeys lists the keys a K3Cloud credentials Secret must hold for a mode.
func K3CloudSecretKeys(mode K3CloudAuthMode) []string {
	switch mode {
	case K3CloudAuthPassword:
		return []string{SecretKeyUsername, SecretKeyPassword}
	default:
		return []string{SecretKeyUsername, SecretKeyAppID, SecretKeyAppSecret}
	}
}

// HTTPSecretKeys lists the keys a supplier auth Secret must hold for an auth type.
func HTTPSecretKeys(t HTTPAuthType) []string {
	switch t {
	case HTTPAuthBearer:
		return []string{SecretKeyToken}
	case HTTPAuthBasic:
		return []string{SecretKeyUsername, SecretKeyPassword}
	case HTTPAuthAPIKey:
		return []string{SecretKeyAPIKey}
	case HTTPAuthHMAC:
		return []string{SecretKeyHMACSecret}
	}
	return nil
}
