package k3cloud

import (
	"crypto/hmac"
	"crypto/sha1" //nolint:gosec // LoginBySign on servers before 8.0.0.202205 only speak SHA-1.
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"sort"
	"strings"
)

// SignAlgorithm is the digest LoginBySign uses.
type SignAlgorithm int

const (
	// SignSHA256 is what current servers expect.
	SignSHA256 SignAlgorithm = iota
	// SignSHA1 is what servers before PT-146911 8.0.0.202205 expect.
	SignSHA1
)

// LoginSign computes the sign parameter of LoginBySign: the five values sorted by byte
// order, concatenated, hashed and written as lowercase hex.
func LoginSign(alg SignAlgorithm, acctID, username, appID, appSecret, timestamp string) string {
	parts := []string{acctID, username, appID, appSecret, timestamp}
	sort.Strings(parts)
	msg := []byte(strings.Join(parts, ""))
	if alg == SignSHA1 {
		sum := sha1.Sum(msg) //nolint:gosec // protocol requirement, see above.
		return hex.EncodeToString(sum[:])
	}
	sum := sha256.Sum256(msg)
	return hex.EncodeToString(sum[:])
}

// kdXORMask is the mask the SDKs XOR the decoded AppID tail with.
var kdXORMask = []byte("0054f397c6234378b09ca7d3e5debce7")

// GatewaySecret derives the X-Api-Signature key from an AppID ("<clientId>_<32 chars>").
// It returns the client id and the secret; both are empty when the AppID has no single
// "_". A tail that is not 32 characters of base64 is returned unchanged, as the Java SDK does.
func GatewaySecret(appID string) (clientID, secret string) {
	parts := strings.Split(appID, "_")
	if len(parts) != 2 {
		return "", ""
	}
	tail := parts[1]
	if len(tail) != 32 {
		return parts[0], tail
	}
	raw, err := base64.StdEncoding.DecodeString(tail)
	if err != nil {
		return parts[0], tail
	}
	out := make([]byte, len(raw))
	for i := range raw {
		out[i] = raw[i] ^ kdXORMask[i%len(kdXORMask)]
	}
	return parts[0], base64.StdEncoding.EncodeToString(out)
}

// KDHMAC is Kingdee's HMAC: base64 of the lowercase hex text of HMAC-SHA256.
func KDHMAC(msg, key string) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte(msg))
	return base64.StdEncoding.EncodeToString([]byte(hex.EncodeToString(m.Sum(nil))))
}

// APIStringToSign is the text X-Api-Signature signs for a POST to path.
func APIStringToSign(path, nonce, timestamp string) string {
	return "POST\n" + url.QueryEscape(path) + "\n\n" +
		"x-api-nonce:" + nonce + "\n" + "x-api-timestamp:" + timestamp + "\n"
}

// AppData is the plain text of X-Kd-Appdata: "acctID,username,lcid,orgNum".
func AppData(acctID, username, lcid, orgNum string) string {
	return acctID + "," + username + "," + lcid + "," + orgNum
}

// SignatureInput is everything one signed request needs.
type SignatureInput struct {
	// Path is the request URL's path, case preserved.
	Path      string
	AppID     string
	AppSecret string
	AcctID    string
	Username  string
	LCID      string
	OrgNum    string
	Nonce     string
	Timestamp string
}

// SignatureHeaders computes the per-request signature headers of §2.5 of the reference.
// The returned map holds the header names exactly as the Python SDK sends them.
func SignatureHeaders(in SignatureInput) map[string]string {
	clientID, gw := GatewaySecret(in.AppID)
	appData := AppData(in.AcctID, in.Username, in.LCID, in.OrgNum)
	return map[string]string{
		"X-Api-ClientID":     clientID,
		"X-Api-Auth-Version": "2.0",
		"x-api-timestamp":    in.Timestamp,
		"x-api-nonce":        in.Nonce,
		"x-api-signheaders":  "x-api-timestamp,x-api-nonce",
		"X-Api-Signature":    KDHMAC(APIStringToSign(in.Path, in.Nonce, in.Timestamp), gw),
		"X-Kd-Appkey":        in.AppID,
		"X-Kd-Appdata":       base64.StdEncoding.EncodeToString([]byte(appData)),
		"X-Kd-Signature":     KDHMAC(in.AppID+appData, in.AppSecret),
	}
}
