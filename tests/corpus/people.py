"""
tests/corpus/people.py: the fake Internet and the ordinary people of the
corpus (who they are, where they log in from, when they write).

Every public address is either a documentation range (RFC 5737:
192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24; RFC 3849: 2001:db8::/32) or
in 240.0.0.0/4, which is reserved (RFC 1112 section 4, "class E") and never
routed: plausible-looking, clearly fake.  Autonomous system numbers are the
documentation ones (RFC 5398: 64496-64511) and private-use ones (RFC 6996:
4200000000 and up).  The addresses are data; nothing ever contacts them.
networks.tsv (written by gen.py) lists every network with its country,
AS number and what it stands for, so a GeoIP/ASN test database can be built
from it.
"""
import ipaddress

# prefix, AS number, country, organisation, kind
NETWORKS = [
    ("192.0.2.0/24", 64496, "DE", "the two mail servers' own addresses",
     "server"),
    ("203.0.113.0/24", 64496, "DE", "office NATs, app servers, webmail and "
     "list server of the customers", "server"),
    ("198.51.100.0/24", 64497, "DE", "other domains' mail exchangers",
     "mx"),
    ("240.1.0.0/16", 64498, "DE", "residential DSL, Germany (a new address "
     "every night)", "residential"),
    ("240.2.0.0/16", 64499, "DE", "mobile carrier, Germany: CGNAT pool 1",
     "mobile"),
    ("240.3.0.0/16", 64499, "DE", "mobile carrier, Germany: CGNAT pool 2",
     "mobile"),
    ("2001:db8:100::/40", 64499, "DE", "mobile carrier, Germany: IPv6",
     "mobile"),
    ("240.4.0.0/16", 64500, "DE", "cable ISP, Germany", "residential"),
    ("2001:db8:200::/40", 64500, "DE", "cable ISP, Germany: IPv6",
     "residential"),
    ("240.5.0.0/16", 64501, "FR", "residential fibre, France",
     "residential"),
    ("240.6.0.0/16", 64502, "GB", "residential broadband, United Kingdom",
     "residential"),
    ("240.7.0.0/16", 64503, "ES", "hotel Wi-Fi provider, Spain", "hotel"),
    ("240.8.0.0/16", 64504, "JP", "hotel and conference networks, Japan",
     "hotel"),
    ("240.9.0.0/16", 64505, "US", "airport and hotel Wi-Fi, United States",
     "hotel"),
    ("240.10.0.0/16", 64506, "US", "large mail provider: outbound servers",
     "provider"),
    ("240.11.0.0/16", 64507, "NL", "cloud hosting", "cloud"),
    ("240.12.0.0/16", 64508, "AT", "residential DSL, Austria",
     "residential"),
    ("240.13.0.0/16", 64509, "CH", "mobile carrier, Switzerland", "mobile"),
    ("240.14.0.0/16", 64510, "IT", "residential, Italy", "residential"),
    ("240.15.0.0/16", 64511, "PL", "residential, Poland", "residential"),
    ("240.16.0.0/16", 64511, "US", "residential cable, United States",
     "residential"),
]
# Residential networks of the countries a spam botnet's machines are in.
BOT_CC = ("VN IN BR ID CN RU UA TR EG PK MX AR CO TH PH NG ZA IR KZ BD MA DZ "
          "PE VE CL RO BG RS GE AM UZ MY KE TN EC BY LK NP IQ SA").split()
for _i, _cc in enumerate(BOT_CC):
    NETWORKS.append(("241.%d.0.0/16" % _i, 4200000000 + _i, _cc,
                     "residential ISP, %s" % _cc, "residential"))

_BY_PREFIX = {p: ipaddress.ip_network(p) for p, *_ in NETWORKS}


def net(prefix):
    return _BY_PREFIX[prefix]


def addr_in(rng, prefix):
    """A host address in prefix (IPv4: never .0 or .255; IPv6: a /64 of the
    prefix and an interface id)."""
    n = _BY_PREFIX[prefix]
    if n.version == 4:
        while True:
            a = n.network_address + rng.below(n.num_addresses)
            if int(a) & 0xFF not in (0, 255):
                return str(a)
    sub = rng.below(1 << (64 - n.prefixlen))
    iid = rng.u64() | 1
    return str(ipaddress.IPv6Address(int(n.network_address) |
                                     (sub << 64) | iid))


def networks_tsv():
    lines = ["# prefix\tasn\tcountry\torganisation\tkind"]
    for p, asn, cc, org, kind in NETWORKS:
        lines.append("%s\t%d\t%s\t%s\t%s" % (p, asn, cc, org, kind))
    return "\n".join(lines) + "\n"


FIRST = ("anna ben carla david eva felix greta hannah ivo jana karl lena "
         "marta nils olga paul rosa stefan tina uwe vera willi xenia yusuf "
         "zora anton bettina conrad dora emil frieda georg helga ingo jonas "
         "klara lars mia noah ole petra quirin ralf sabine timo ulla viktor "
         "wanda yara zeno alma bruno cleo dirk elke fritz gisela heinz irma "
         "jakob").split()
LAST = ("adler bauer becker brandt busch dietrich engel fischer frank "
        "fuchs graf hahn hartmann herrmann hoffmann huber jung kaiser keller "
        "klein koch koenig krause krueger kuhn lang lehmann lorenz maier "
        "meyer moeller neumann otto peters pohl richter roth sauer schmid "
        "schmitt schneider schreiber schulz schwarz seidel simon sommer "
        "stein vogel vogt wagner walter weber weiss werner winter wolf "
        "ziegler").split()
TRADES = ("bakery dental garage florist joinery optician pharmacy tailor "
          "roofing plumbing bookshop winery dance-studio law-office "
          "tax-advice architects printshop pet-care bike-shop yoga "
          "music-school cafe butcher hairdresser photo-studio").split()
WORDS = ("north south river stone oak maple harbor valley summit cedar "
         "granite silver golden bright swift clear blue green red alpine "
         "coastal urban rural prime first global united central metro "
         "pioneer").split()
NOUNS = ("logistics systems partners consulting supply foods media labs "
         "works trading group solutions industries health travel energy "
         "finance design motors textiles").split()


def external_domains(rng, n):
    """Fake external domains (RFC 2606 .example), the same for both parts:
    they are the rest of the world, not accounts of ours."""
    out, seen = [], set()
    while len(out) < n:
        d = "%s-%s.example" % (WORDS[rng.below(len(WORDS))],
                               NOUNS[rng.below(len(NOUNS))])
        if d not in seen:
            seen.add(d)
            out.append(d)
    return out


FREEMAIL = ["bigmail.example", "webpost.example", "postbox.example",
            "inbox-de.example", "mailnet.example", "freemail.example"]


class Mailbox:
    """An ordinary person's account and devices."""

    def __init__(self, account, rng, home_net, carrier, office_ip=None,
                 rate=5.0, phone=True, webmail_ip=None, weekend=0.03,
                 evening=0.06, home_days=0.15, dsl_nightly=True,
                 friends=None, colleagues=None, start_day=0):
        self.account = account
        self.rng = rng
        self.home_net = home_net
        self.carrier = carrier		# list of CGNAT prefixes
        self.office_ip = office_ip
        self.rate = rate
        self.phone = phone
        self.webmail_ip = webmail_ip
        self.weekend = weekend
        self.evening = evening
        self.home_days = home_days
        self.dsl_nightly = dsl_nightly
        self.friends = friends or []
        self.colleagues = colleagues or []
        self.start_day = start_day
        self._home = {}
        self._phone_ip = None
        self._phone_until = -1
        self.phone_hold = (1800, 10800)	# seconds an address lasts
        self.phone_every = 3600		# mean seconds between IMAP logins

    def home_ip(self, day):
        """DSL: a new address every night; cable: one per fortnight."""
        key = day if self.dsl_nightly else day // 14
        if key not in self._home:
            self._home[key] = addr_in(self.rng, self.home_net)
        return self._home[key]

    def phone_ip(self, t):
        if t >= self._phone_until:
            self._phone_ip = addr_in(self.rng, self.rng.choice(self.carrier))
            self._phone_until = t + self.rng.between(*self.phone_hold)
        return self._phone_ip

    def recipients(self):
        rng = self.rng
        n = 1 if rng.chance(0.7) else (2 + rng.below(3) if rng.chance(0.9)
                                       else 5 + rng.below(12))
        out = []
        for _ in range(n):
            u = rng.uniform()
            if self.colleagues and u < 0.4:
                r = rng.choice(self.colleagues)
            elif self.friends and u < 0.85:
                r = rng.choice(self.friends)
            else:
                r = "%s.%s@%s" % (rng.choice(FIRST), rng.choice(LAST),
                                  rng.choice(FREEMAIL))
            if r != self.account and r not in out:
                out.append(r)
        return out or ["%s@%s" % (rng.choice(FIRST), rng.choice(FREEMAIL))]
