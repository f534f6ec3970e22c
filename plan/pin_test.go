package plan

import (
	"encoding/hex"
	"testing"
)

// The generated names and digests of a table of documents, as computed
// before the typed body: a restructure must keep every one byte for byte
// (names are how a re-applied job is recognised; digests tell duplicates
// from conflicts).
func TestNamesAndDigestsPinned(t *testing.T) {
	tests := []struct {
		yaml         string
		name, digest string
	}{
		{yaml: head, name: "stdin-72afc3e13cd3", digest: "09fb38dea483efdabc6a21329a8bf49bfd489daf2b86651030f60faf7301d059"},
		{yaml: head + "container_cmd: [a, 'Param::x', '', \"<&>\\u2028\"]\ncontainer_cmd_parameter: {x: 3.10, y: true, z: '010'}\n", name: "stdin-c624f5f94ab5", digest: "9ad939a8a46ebcc1a22747b99e8a6d08ed193fd16e6fbf9c9c6cb7dc97cc456b"},
		{yaml: head + "container_env:\n  A: plain\n  B: {value: '${PW}', sensitive: true}\n  C: {value: 'x', sensitive: false}\n  D: 010\n", name: "stdin-f83931d0b74c", digest: "1cf07aecce99bbd3c7988d1f0cef5d61c76c3a76847d6b3f9b8465cf485bf8ba"},
		{yaml: head + "schedule_at: +1h\ncontainer_env: {P: '$$5 ${PW}'}\n", name: "stdin-12fda638d1df", digest: "d4d1718fbfb952caff0ab3c22f4f151e524e821ba573e7d8d85769bf2594df9d"},
		{yaml: head + "schedule_at: 1795917600\n", name: "stdin-eae2e8d532b1", digest: "91264a0fb1a6889e0393dda0c968487804f626079adc7e076638f72626d3fc82"},
		{yaml: head + "schedule_at: '${WHEN:-+2h}'\n", name: "stdin-b944cbaf9efe", digest: "ae0f4e427dac4add668d4b1cf9cebeff45f24cffb48457f37931d7c11b53a943"},
		{yaml: head + "name: given-ünï\ncontainer_cmd: []\ncontainer_cmd_parameter: {}\ncontainer_env: {}\n", name: "given-ünï", digest: "4462fe2e2cf6c7b63d59a3ccdb9b366b5661553aa31795b9dad237e30d8c1872"},
		{yaml: head + "container_env:\n  \"Z\": \"\\xff\\x00\"\n", name: "stdin-c7999855c995", digest: "9e21ada777f58dd3fcb1ffdddebeeb0db5b7a2661ddc9fcdb8689627e9b7be04"},
	}
	for _, tt := range tests {
		p := planOf(t, tt.yaml, map[string]string{"PW": "s3cr3t"})
		if p.Errors() != 0 || len(p.Jobs) != 1 {
			t.Fatalf("%q: %q", tt.yaml, diagStrings(p))
		}
		j := p.Jobs[0]
		d := hex.EncodeToString(j.Digest[:])
		if j.Name != tt.name || d != tt.digest {
			t.Errorf("%q: name %q digest %s, want %q %s", tt.yaml, j.Name, d, tt.name, tt.digest)
		}
	}
}
