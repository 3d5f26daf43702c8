package config

import "path/filepath"

// Rebase puts every file path of the document under root: what a pod sees at
// /var/run/dropship/secrets/x is read from root/var/run/dropship/secrets/x instead. The local
// runner of the demo and the e2e tests lays a pod's volumes out under one directory and starts
// the dispatcher with --root; nothing else should need it.
func (c *DispatcherConfig) Rebase(root string) {
	if root == "" {
		return
	}
	for _, p := range c.paths() {
		if *p != "" && filepath.IsAbs(*p) {
			*p = filepath.Join(root, *p)
		}
	}
}

// paths lists every field of the document that names a file or directory.
func (c *DispatcherConfig) paths() []*string {
	ps := []*string{&c.Store.Path, &c.Store.DSNFile, &c.Server.AdminTokenFile}
	if k := c.Source.K3Cloud; k != nil {
		ps = append(ps, &k.Auth.CredentialsDir)
	}
	if w := c.Source.Webhook; w != nil {
		ps = append(ps, &w.SecretDir)
	}
	for i := range c.Suppliers {
		s := &c.Suppliers[i]
		ps = append(ps, &s.Catalog.SKUMapFile)
		if h := s.HTTP; h != nil {
			ps = append(ps, &h.Auth.SecretDir, &h.Shipments.CallbackSecretDir)
		}
		if k := s.K3Cloud; k != nil {
			ps = append(ps, &k.Auth.CredentialsDir)
		}
	}
	return ps
}
