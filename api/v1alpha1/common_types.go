/*
Copyright 2026 The dropship-operator Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

package v1alpha1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// SecretReference names a Secret in the same namespace as the referring object. Which keys
// the Secret must hold depends on the field that refers to it (see docs/spec).
type SecretReference struct {
	// name of the Secret, in the referring object's namespace.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`
}

// ConfigMapKeyReference names one key of a ConfigMap in the same namespace.
type ConfigMapKeyReference struct {
	// name of the ConfigMap, in the referring object's namespace.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`
	// key in the ConfigMap's data.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Key string `json:"key"`
}

// LocalObjectReference names an object of a known kind in the same namespace.
type LocalObjectReference struct {
	// name of the object, in the referring object's namespace.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`
}

// K3CloudAuthMode is one of the Kingdee K3Cloud WebAPI's authentication methods.
// +kubebuilder:validation:Enum=Signature;AppSecret;Sign;Password
type K3CloudAuthMode string

// K3Cloud authentication modes.
const (
	// K3CloudAuthSignature signs every request with the X-Api-* headers (the SDKs' way).
	K3CloudAuthSignature K3CloudAuthMode = "Signature"
	// K3CloudAuthAppSecret logs in with LoginByAppSecret.
	K3CloudAuthAppSecret K3CloudAuthMode = "AppSecret"
	// K3CloudAuthSign logs in with LoginBySign.
	K3CloudAuthSign K3CloudAuthMode = "Sign"
	// K3CloudAuthPassword logs in with ValidateUser.
	K3CloudAuthPassword K3CloudAuthMode = "Password"
)

// K3CloudAuth is how to authenticate to a K3Cloud site.
type K3CloudAuth struct {
	// mode is the authentication method: Signature, AppSecret or Sign (the Secret holds
	// keys username, appID and appSecret) or Password (keys username and password).
	// +optional
	// +kubebuilder:default=Signature
	Mode K3CloudAuthMode `json:"mode,omitempty"`
	// credentialsSecretRef names the Secret holding the credentials for mode.
	// +required
	CredentialsSecretRef SecretReference `json:"credentialsSecretRef"`
}

// K3CloudConnection is how to reach and authenticate to one Kingdee K3Cloud (金蝶云星空)
// instance. OrderSource uses it for our ERP, Supplier for a supplier's own ERP.
type K3CloudConnection struct {
	// url is the base URL of the K3Cloud site, for example https://erp.example.com/k3cloud/.
	// +required
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:XValidation:rule="isURL(self) && url(self).getScheme() in ['http', 'https']",message="url must be an http(s) URL"
	URL string `json:"url"`
	// acctID is the data centre (账套) id.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=64
	AcctID string `json:"acctID"`
	// lcid is the locale id: 2052 simplified Chinese, 1033 English, 3076 traditional Chinese.
	// +optional
	// +kubebuilder:default=2052
	// +kubebuilder:validation:Enum=2052;1033;3076
	LCID int32 `json:"lcid,omitempty"`
	// auth is how to authenticate.
	// +required
	Auth K3CloudAuth `json:"auth"`
	// timeout of one WebAPI call.
	// +optional
	// +kubebuilder:default="30s"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:Pattern="^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$"
	// +kubebuilder:validation:XValidation:rule="duration(self) > duration('0s')",message="timeout must be a positive duration such as 30s"
	Timeout *metav1.Duration `json:"timeout,omitempty"`
	// maxConcurrent caps the WebAPI calls in flight to this site.
	// +optional
	// +kubebuilder:default=4
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=64
	MaxConcurrent int32 `json:"maxConcurrent,omitempty"`
	// ratePerSecond caps the WebAPI calls per second to this site.
	// +optional
	// +kubebuilder:default=10
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=1000
	RatePerSecond int32 `json:"ratePerSecond,omitempty"`
}
