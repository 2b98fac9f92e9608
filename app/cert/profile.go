package cert

import "strings"

// Profile is a certificate's type as the overviews show it (seed 3.1: "alle
// typen (zoals CertSIGN OV SSL, en Private SSL)"): which PKIoverheid
// hierarchy and domain it was issued under, or which public profile. It is
// read from the certificate policies, so it needs no stored field.
type Profile string

const (
	ProfileUnknown         Profile = ""
	ProfilePKIoPrivateG1   Profile = "pkio-private-g1"  // 2.16.528.1.1003.1.2.8.*, Private Services G1 ("Private SSL")
	ProfilePKIoG4          Profile = "pkio-g4"          // 2.16.528.1.1003.1.2.44.*, G4 production
	ProfilePKIoG4Trial     Profile = "pkio-g4-trial"    // 2.16.528.1.1003.1.2.41.*, G4 trial
	ProfilePKIoOrganisatie Profile = "pkio-organisatie" // 2.16.528.1.1003.1.2.5.*, Organisatie (G3)
	ProfilePKIoBurger      Profile = "pkio-burger"      // 2.16.528.1.1003.1.2.2.*
	ProfilePKIoAutonomous  Profile = "pkio-autonoom"    // 2.16.528.1.1003.1.2.3.*, autonomous devices
	ProfileQualified       Profile = "eidas-qualified"  // ETSI EN 319 411-2 QCP-n/-l (0.4.0.194112.1.*)
	ProfilePublicOV        Profile = "public-ov"        // CA/B Forum OV (2.23.140.1.2.2) or ETSI OVCP
	ProfileCertSIGNOV      Profile = "certsign-ov"      // public OV from certSIGN, which KPN sells
)

// pkioProfiles maps the arc after 2.16.528.1.1003.1.2. to a profile.
var pkioProfiles = map[string]Profile{
	"8":  ProfilePKIoPrivateG1,
	"44": ProfilePKIoG4,
	"41": ProfilePKIoG4Trial,
	"5":  ProfilePKIoOrganisatie,
	"2":  ProfilePKIoBurger,
	"3":  ProfilePKIoAutonomous,
}

// ProfileOf decides the profile from dotted policy OIDs. A PKIoverheid
// policy says most (a G4 certificate also carries ETSI NCP policies);
// then eIDAS qualified; then a public OV policy.
func ProfileOf(policies []string) Profile {
	const pkio = "2.16.528.1.1003.1.2."
	for _, p := range policies {
		if rest, ok := strings.CutPrefix(p, pkio); ok {
			arc, _, _ := strings.Cut(rest, ".")
			if prof, ok := pkioProfiles[arc]; ok {
				return prof
			}
		}
	}
	for _, p := range policies {
		if strings.HasPrefix(p, "0.4.0.194112.1.") {
			return ProfileQualified
		}
	}
	for _, p := range policies {
		if p == "2.23.140.1.2.2" || p == "0.4.0.2042.1.7" {
			return ProfilePublicOV
		}
	}
	return ProfileUnknown
}

// Profile of the certificate, from its policies; a public OV certificate
// from certSIGN gets the name the seed uses for it.
func (c *Certificate) Profile() Profile {
	p := ProfileOf(c.Policies)
	if p == ProfilePublicOV && strings.Contains(strings.ToLower(c.Issuer), "certsign") {
		return ProfileCertSIGNOV
	}
	return p
}

// Profiles lists every profile, unknown included, for whoever must name them all.
func Profiles() []Profile {
	return []Profile{ProfileUnknown, ProfilePKIoPrivateG1, ProfilePKIoG4, ProfilePKIoG4Trial, ProfilePKIoOrganisatie,
		ProfilePKIoBurger, ProfilePKIoAutonomous, ProfileQualified, ProfilePublicOV, ProfileCertSIGNOV}
}
