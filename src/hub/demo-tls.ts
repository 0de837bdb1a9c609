/**
 * The demo Proxmox simulator's certificate and key: fixed, so rules/demo.yaml
 * can pin its fingerprint. They secure nothing (a simulator on loopback, a key
 * published here): never use them for anything else.
 */
export const DEMO_PROXMOX_TLS = {
  key: `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgLeB3/1Q3vJhWcHEn
CJLGDo8fT/Nr8nzWOFKQ9oJWr+mhRANCAAS2Phxn6b9lVbZryYmg2nwzO2Fg0lbK
dFKAKW1idn/mHqdrueBO3IKVW7sKCy7+29IQJr0yoCdfcKIRtXbWkwhD
-----END PRIVATE KEY-----
`,
  cert: `-----BEGIN CERTIFICATE-----
MIIBrDCCAVOgAwIBAgIUW/mvGVWTbQiNUJpB+7w33W/XnZcwCgYIKoZIzj0EAwIw
HjEcMBoGA1UEAwwTd2FsbnV0LWRlbW8tcHJveG1veDAeFw0yNjExMjIyMTU3NDBa
Fw00NjExMTcyMTU3NDBaMB4xHDAaBgNVBAMME3dhbG51dC1kZW1vLXByb3htb3gw
WTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAS2Phxn6b9lVbZryYmg2nwzO2Fg0lbK
dFKAKW1idn/mHqdrueBO3IKVW7sKCy7+29IQJr0yoCdfcKIRtXbWkwhDo28wbTAd
BgNVHQ4EFgQUFmstjfSb8CPUftPeYTUmLucwT7owHwYDVR0jBBgwFoAUFmstjfSb
8CPUftPeYTUmLucwT7owDwYDVR0TAQH/BAUwAwEB/zAaBgNVHREEEzARhwR/AAAB
gglsb2NhbGhvc3QwCgYIKoZIzj0EAwIDRwAwRAIgJJVSuYUxIbX5jRmj4W43ncy/
wRhankkWAG/Diz0TehQCIGchrgstp0A4UlgyKxQXQIgcpXcCbW9+DOhEcY81GhzR
-----END CERTIFICATE-----
`,
};
