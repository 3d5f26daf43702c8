// fakepod stands in for the dispatcher in podrun's tests: it reads --config under --root,
// writes what it saw (config, an env var) to --root/out.txt, and serves /readyz on --listen.
package main

import (
	"flag"
	"net/http"
	"os"
	"path/filepath"
)

func main() {
	cfg := flag.String("config", "", "")
	root := flag.String("root", "", "")
	listen := flag.String("listen", "", "")
	flag.Parse()
	b, err := os.ReadFile(filepath.Join(*root, *cfg))
	if err != nil {
		panic(err)
	}
	secret, _ := os.ReadFile(filepath.Join(*root, "/var/run/secrets/cred/token"))
	out := "config=" + string(b) + "\nsecret=" + string(secret) + "\npod=" + os.Getenv("POD_NAME") + "\nlevel=" + os.Getenv("LEVEL") + "\n"
	if err := os.WriteFile(filepath.Join(*root, "out.txt"), []byte(out), 0o600); err != nil {
		panic(err)
	}
	http.HandleFunc("/readyz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	if err := http.ListenAndServe(*listen, nil); err != nil {
		panic(err)
	}
}
