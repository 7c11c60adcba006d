"""Build the bundled country table, ``src/tocsin/countries/data/countries.csv``.

Run ``uv run python scripts/build_countries.py`` after changing a fact below or
upgrading country_converter / pycountry, then run ``uv run pytest tests/countries``.

Where each column comes from (see ``docs/countries.md``):

- iso3, iso2, isonum, name, official_name, UN sub-region, GW numbers: the data
  file of country_converter (``country_data.tsv``), with pycountry's ISO 3166-1
  and ISO 3166-3 names added as variants;
- COW numbers and abbreviations: the Correlates of War state list (v2016), as
  typed in ``COW`` below;
- FIPS 10-4 codes: the last FIPS 10-4 edition / GEC list, typed in ``FIPS``;
- former states, successions and extra name variants: typed below, from the
  ISO 3166-3, COW and Gleditsch–Ward state lists.
"""

from __future__ import annotations

import csv
import sys
from importlib import resources
from pathlib import Path

import pycountry

OUT = (
    Path(__file__).resolve().parents[1] / "src" / "tocsin" / "countries" / "data" / "countries.csv"
)

COLUMNS = [
    "iso3",
    "iso2",
    "isonum",
    "name",
    "official_name",
    "un_region",
    "un_subregion",
    "gw",
    "cow",
    "cow_letter",
    "fips",
    "is_historical",
    "start_year",
    "end_year",
    "predecessor",
    "variants",
]

# UN M49: sub-region -> region.
REGION_OF = {
    **dict.fromkeys(
        ["Northern Africa", "Eastern Africa", "Middle Africa", "Southern Africa", "Western Africa"],
        "Africa",
    ),
    **dict.fromkeys(
        ["Caribbean", "Central America", "South America", "Northern America"], "Americas"
    ),
    **dict.fromkeys(
        ["Central Asia", "Eastern Asia", "South-eastern Asia", "Southern Asia", "Western Asia"],
        "Asia",
    ),
    **dict.fromkeys(
        ["Eastern Europe", "Northern Europe", "Southern Europe", "Western Europe"], "Europe"
    ),
    **dict.fromkeys(
        ["Australia and New Zealand", "Melanesia", "Micronesia", "Polynesia"], "Oceania"
    ),
}

# country_converter rows Tocsin does not carry: Tanganyika is continued by Tanzania
# (COW/GW 510), the British Antarctic Territory is not a country in any source.
DROP = {"EAT", "BA1"}

# iso3 COW-number COW-abbreviation (Correlates of War state system membership, v2016).
COW = """
USA 2 USA
CAN 20 CAN
BHS 31 BHM
CUB 40 CUB
HTI 41 HAI
DOM 42 DOM
JAM 51 JAM
TTO 52 TRI
BRB 53 BAR
DMA 54 DMA
GRD 55 GRN
LCA 56 SLU
VCT 57 SVG
ATG 58 AAB
KNA 60 SKN
MEX 70 MEX
BLZ 80 BLZ
GTM 90 GUA
HND 91 HON
SLV 92 SAL
NIC 93 NIC
CRI 94 COS
PAN 95 PAN
COL 100 COL
VEN 101 VEN
GUY 110 GUY
SUR 115 SUR
ECU 130 ECU
PER 135 PER
BRA 140 BRA
BOL 145 BOL
PRY 150 PAR
CHL 155 CHL
ARG 160 ARG
URY 165 URU
GBR 200 UKG
IRL 205 IRE
NLD 210 NTH
BEL 211 BEL
LUX 212 LUX
FRA 220 FRN
MCO 221 MNC
LIE 223 LIE
CHE 225 SWZ
ESP 230 SPN
AND 232 AND
PRT 235 POR
DEU 255 GMY
POL 290 POL
AUT 305 AUS
HUN 310 HUN
CZE 316 CZR
SVK 317 SLO
ITA 325 ITA
SMR 331 SNM
MLT 338 MLT
ALB 339 ALB
MNE 341 MNG
MKD 343 MAC
HRV 344 CRO
YUG 345 YUG
SRB 345 YUG
BIH 346 BOS
XKX 347 KOS
SVN 349 SLV
GRC 350 GRC
CYP 352 CYP
BGR 355 BUL
MDA 359 MLD
ROU 360 ROM
RUS 365 RUS
EST 366 EST
LVA 367 LAT
LTU 368 LIT
UKR 369 UKR
BLR 370 BLR
ARM 371 ARM
GEO 372 GRG
AZE 373 AZE
FIN 375 FIN
SWE 380 SWD
NOR 385 NOR
DNK 390 DEN
ISL 395 ICE
CPV 402 CAP
STP 403 STP
GNB 404 GNB
GNQ 411 EQG
GMB 420 GAM
MLI 432 MLI
SEN 433 SEN
BEN 434 BEN
MRT 435 MAA
NER 436 NIR
CIV 437 CDI
GIN 438 GUI
BFA 439 BFO
LBR 450 LBR
SLE 451 SIE
GHA 452 GHA
TGO 461 TOG
CMR 471 CAO
NGA 475 NIG
GAB 481 GAB
CAF 482 CEN
TCD 483 CHA
COG 484 CON
COD 490 DRC
UGA 500 UGA
KEN 501 KEN
TZA 510 TAZ
BDI 516 BUI
RWA 517 RWA
SOM 520 SOM
DJI 522 DJI
ETH 530 ETH
ERI 531 ERI
AGO 540 ANG
MOZ 541 MZM
ZMB 551 ZAM
ZWE 552 ZIM
MWI 553 MAW
ZAF 560 SAF
NAM 565 NAM
LSO 570 LES
BWA 571 BOT
SWZ 572 SWA
MDG 580 MAG
COM 581 COM
MUS 590 MAS
SYC 591 SEY
MAR 600 MOR
DZA 615 ALG
TUN 616 TUN
LBY 620 LIB
SDN 625 SUD
SSD 626 SSD
IRN 630 IRN
TUR 640 TUR
IRQ 645 IRQ
EGY 651 EGY
SYR 652 SYR
LBN 660 LEB
JOR 663 JOR
ISR 666 ISR
SAU 670 SAU
YEM 679 YEM
KWT 690 KUW
BHR 692 BAH
QAT 694 QAT
ARE 696 UAE
OMN 698 OMA
AFG 700 AFG
TKM 701 TKM
TJK 702 TAJ
KGZ 703 KYR
UZB 704 UZB
KAZ 705 KZK
CHN 710 CHN
MNG 712 MON
TWN 713 TAW
PRK 731 PRK
KOR 732 ROK
JPN 740 JPN
IND 750 IND
BTN 760 BHU
PAK 770 PAK
BGD 771 BNG
MMR 775 MYA
LKA 780 SRI
MDV 781 MAD
NPL 790 NEP
THA 800 THI
KHM 811 CAM
LAO 812 LAO
VNM 816 DRV
MYS 820 MAL
SGP 830 SIN
BRN 835 BRU
PHL 840 PHI
IDN 850 INS
TLS 860 ETM
AUS 900 AUL
PNG 910 PNG
NZL 920 NEW
VUT 935 VAN
SLB 940 SOL
KIR 946 KIR
TUV 947 TUV
FJI 950 FIJ
TON 955 TON
NRU 970 NAU
MHL 983 MSI
PLW 986 PAL
FSM 987 FSM
WSM 990 WSM
"""

# Gleditsch-Ward numbers where country_converter's GWcode is wrong or missing
# (Gleditsch & Ward 1999, list of independent states, 2017 update).
GW_FIX = {"CZE": 316, "VNM": 816, "YEM": 678}

# iso3 FIPS-10-4 (last FIPS 10-4 change notice / GENC-era GEC list; GDELT 1.0 geography).
FIPS = """
AFG AF
ALB AL
DZA AG
ASM AQ
AND AN
AGO AO
AIA AV
ATA AY
ATG AC
ARG AR
ARM AM
ABW AA
AUS AS
AUT AU
AZE AJ
BHS BF
BHR BA
BGD BG
BRB BB
BLR BO
BEL BE
BLZ BH
BEN BN
BMU BD
BTN BT
BOL BL
BIH BK
BWA BC
BVT BV
BRA BR
IOT IO
VGB VI
BRN BX
BGR BU
BFA UV
MMR BM
BDI BY
KHM CB
CMR CM
CAN CA
CPV CV
CYM CJ
CAF CT
TCD CD
CHL CI
CHN CH
CXR KT
CCK CK
COL CO
COM CN
COD CG
COG CF
COK CW
CRI CS
CIV IV
HRV HR
CUB CU
CUW UC
CYP CY
CZE EZ
DNK DA
DJI DJ
DMA DO
DOM DR
ECU EC
EGY EG
SLV ES
GNQ EK
ERI ER
EST EN
SWZ WZ
ETH ET
FLK FK
FRO FO
FJI FJ
FIN FI
FRA FR
GUF FG
PYF FP
ATF FS
GAB GB
GMB GA
GEO GG
DEU GM
GHA GH
GIB GI
GRC GR
GRL GL
GRD GJ
GLP GP
GUM GQ
GTM GT
GGY GK
GIN GV
GNB PU
GUY GY
HTI HA
HMD HM
VAT VT
HND HO
HKG HK
HUN HU
ISL IC
IND IN
IDN ID
IRN IR
IRQ IZ
IRL EI
IMN IM
ISR IS
ITA IT
JAM JM
JPN JA
JEY JE
JOR JO
KAZ KZ
KEN KE
KIR KR
PRK KN
KOR KS
XKX KV
KWT KU
KGZ KG
LAO LA
LVA LG
LBN LE
LSO LT
LBR LI
LBY LY
LIE LS
LTU LH
LUX LU
MAC MC
MKD MK
MDG MA
MWI MI
MYS MY
MDV MV
MLI ML
MLT MT
MHL RM
MTQ MB
MRT MR
MUS MP
MYT MF
MEX MX
FSM FM
MDA MD
MCO MN
MNG MG
MNE MJ
MSR MH
MAR MO
MOZ MZ
NAM WA
NRU NR
NPL NP
NLD NL
ANT NT
NCL NC
NZL NZ
NIC NU
NER NG
NGA NI
NIU NE
NFK NF
MNP CQ
NOR NO
OMN MU
PAK PK
PLW PS
PAN PM
PNG PP
PRY PA
PER PE
PHL RP
PCN PC
POL PL
PRT PO
PRI RQ
QAT QA
REU RE
ROU RO
RUS RS
RWA RW
BLM TB
SHN SH
KNA SC
LCA ST
MAF RN
SPM SB
VCT VC
WSM WS
SMR SM
STP TP
SAU SA
SEN SG
SRB RI
SYC SE
SLE SL
SGP SN
SXM NN
SVK LO
SVN SI
SLB BP
SOM SO
ZAF SF
SGS SX
SSD OD
ESP SP
LKA CE
SDN SU
SUR NS
SJM SV
SWE SW
CHE SZ
SYR SY
TWN TW
TJK TI
TZA TZ
THA TH
TLS TT
TGO TO
TKL TL
TON TN
TTO TD
TUN TS
TUR TU
TKM TX
TCA TK
TUV TV
UGA UG
UKR UP
ARE AE
GBR UK
USA US
URY UY
UZB UZ
VUT NH
VEN VE
VNM VM
VIR VQ
WLF WF
ESH WI
YEM YM
ZMB ZA
ZWE ZI
PSE WE
"""

# Former states and non-ISO entities. Years: first and last calendar year the
# entity existed as a state in the COW/GW sense (the year of a merger or split
# goes to the successor).
HISTORICAL = [
    {
        "iso3": "SUN",
        "iso2": "SU",
        "isonum": 810,
        "name": "Soviet Union",
        "official_name": "Union of Soviet Socialist Republics",
        "sub": "Eastern Europe",
        "gw": 365,
        "cow": 365,
        "cow_letter": "RUS",
        "fips": "UR",
        "start": 1922,
        "end": 1991,
        "variants": [
            "USSR",
            "U.S.S.R.",
            "Soviet Union (former)",
            "Union of Soviet Socialist Republics",
        ],
    },
    {
        "iso3": "YUG",
        "iso2": "YU",
        "isonum": 890,
        "name": "Yugoslavia",
        "official_name": "Socialist Federal Republic of Yugoslavia",
        "sub": "Southern Europe",
        "gw": 345,
        "cow": 345,
        "cow_letter": "YUG",
        "fips": "YO",
        "start": 1918,
        "end": 1991,
        "variants": ["Yugoslavia, Socialist Federal Republic of", "SFR Yugoslavia", "SFRY"],
    },
    {
        "iso3": "SCG",
        "iso2": "CS",
        "isonum": 891,
        "name": "Serbia and Montenegro",
        "official_name": "Serbia and Montenegro",
        "sub": "Southern Europe",
        "gw": 345,
        "cow": 345,
        "cow_letter": "YUG",
        "fips": "YI",
        "start": 1992,
        "end": 2005,
        "predecessor": "YUG",
        "variants": [
            "Federal Republic of Yugoslavia",
            "Yugoslavia, Federal Republic of",
            "Yugoslavia (Serbia and Montenegro)",
            "FR Yugoslavia",
            "Yugoslavia, FR",
            "Serbia & Montenegro",
        ],
    },
    {
        "iso3": "DDR",
        "iso2": "DD",
        "isonum": 278,
        "name": "East Germany",
        "official_name": "German Democratic Republic",
        "sub": "Western Europe",
        "gw": 265,
        "cow": 265,
        "cow_letter": "GDR",
        "fips": "GC",
        "start": 1949,
        "end": 1990,
        "variants": [
            "German Democratic Republic",
            "Germany (East)",
            "Germany, East",
            "GDR",
            "Germany East",
            "East Germany (GDR)",
        ],
    },
    {
        "iso3": "CSK",
        "iso2": "CS",
        "isonum": 200,
        "name": "Czechoslovakia",
        "official_name": "Czechoslovak Socialist Republic",
        "sub": "Eastern Europe",
        "gw": 315,
        "cow": 315,
        "cow_letter": "CZE",
        "fips": None,
        "start": 1918,
        "end": 1992,
        "variants": ["Czechoslovak Republic", "Czech and Slovak Federal Republic"],
    },
    {
        "iso3": "YMD",
        "iso2": "YD",
        "isonum": 720,
        "name": "South Yemen",
        "official_name": "People's Democratic Republic of Yemen",
        "sub": "Western Asia",
        "gw": 680,
        "cow": 680,
        "cow_letter": "YPR",
        "fips": None,
        "start": 1967,
        "end": 1990,
        "variants": [
            "Yemen, People's Republic of",
            "People's Republic of Yemen",
            "Yemen, South",
            "Yemen PDR",
            "Yemen People's Republic",
            "Yemen, Democratic",
            "Yemen (South)",
            "South Yemen (PDRY)",
        ],
    },
    {
        "iso3": "RVN",
        "iso2": None,
        "isonum": None,
        "name": "South Vietnam",
        "official_name": "Republic of Vietnam",
        "sub": "South-eastern Asia",
        "gw": 817,
        "cow": 817,
        "cow_letter": "RVN",
        "fips": None,
        "start": 1954,
        "end": 1975,
        "variants": [
            "Vietnam, Republic of",
            "Vietnam, South",
            "Republic of Vietnam",
            "Vietnam (South)",
            "Viet Nam, Republic of",
            "South Viet Nam",
        ],
    },
    {
        "iso3": "EAZ",
        "iso2": None,
        "isonum": None,
        "name": "Zanzibar",
        "official_name": "People's Republic of Zanzibar",
        "sub": "Eastern Africa",
        "gw": 511,
        "cow": 511,
        "cow_letter": "ZAN",
        "fips": None,
        "start": 1963,
        "end": 1964,
        "variants": [],
    },
]

# Where the same country goes on under a new code, years before ``start`` are
# filed under ``predecessor`` (COW 365 in 1980 is the USSR).
SUCCESSION = {
    "RUS": (1992, "SUN"),
    "SRB": (2006, "SCG"),
    "CZE": (1993, "CSK"),
    "SVK": (1993, None),
    "MNE": (2006, None),
}

# Name variants found in Tocsin's sources (EWP, PTS, Freedom House, V-Dem, WGI,
# Polity, UCDP, ACLED, OHCHR) that neither package lists.
VARIANTS = {
    "VNM": [
        "Democratic Republic of Vietnam",
        "Vietnam, Democratic Republic of",
        "Vietnam North",
        "Vietnam, N.",
        "North Vietnam",
        "Vietnam (North)",
    ],
    "RVN": ["Vietnam, S.", "Vietnam South"],
    "RUS": ["Russia (Soviet Union)"],
    "KGZ": ["Kyrgystan", "Kyrgyz Republic"],
    "DEU": [
        "Germany, W.",
        "Germany West",
        "German Federal Republic",
        "West Germany",
        "Germany (West)",
        "Germany, West",
    ],
    "DDR": ["Germany, E."],
    "YEM": ["Yemen, N."],
    "YMD": ["Yemen, S."],
    "PHL": ["Phillippines"],
    "JEY": ["Jersey, Channel Islands"],
}


def _parse_cow() -> dict[str, tuple[int, str]]:
    table: dict[str, tuple[int, str]] = {}
    for line in COW.strip().splitlines():
        iso3, number, letter = line.split()
        table[iso3] = (int(number), letter)
    return table


def _parse_fips() -> dict[str, str]:
    return dict(line.split() for line in FIPS.strip().splitlines())  # type: ignore[misc]


def _pycountry_names(iso3: str) -> list[str]:
    names: list[str] = []
    country = pycountry.countries.get(alpha_3=iso3) or pycountry.historic_countries.get(
        alpha_3=iso3
    )
    if country is not None:
        for attr in ("name", "official_name", "common_name"):
            value = getattr(country, attr, None)
            if value:
                names.append(value)
    return names


def build_rows() -> list[dict[str, object]]:
    """Every row of countries.csv, sorted by iso3."""
    cow = _parse_cow()
    fips = _parse_fips()
    source = resources.files("country_converter") / "country_data.tsv"
    with source.open(encoding="utf-8") as handle:
        coco = [r for r in csv.DictReader(handle, delimiter="\t") if r["ISO3"] not in DROP]
    rows: dict[str, dict[str, object]] = {}
    for r in coco:
        iso3 = r["ISO3"]
        sub = r["UNregion"] or None
        gw = GW_FIX.get(iso3, int(r["GWcode"]) if r["GWcode"] else None)
        number, letter = cow.get(iso3, (None, None))
        start, predecessor = SUCCESSION.get(iso3, (None, None))
        # Channel Islands: a World Bank reporting unit country_converter marks obsolete.
        end = int(r["obsolete"]) - 1 if r["obsolete"] and iso3 != "CHI" else None
        rows[iso3] = {
            "iso3": iso3,
            # A few ISO2 cells are regexes ("^GB$|^UK$"): the first code is ISO's.
            "iso2": r["ISO2"].split("|")[0].strip("^$") or None,
            "isonum": int(r["ISOnumeric"]) if r["ISOnumeric"] else None,
            "name": r["name_short"],
            "official_name": r["name_official"] or None,
            "un_region": REGION_OF.get(sub or ""),
            "un_subregion": sub,
            "gw": gw,
            "cow": number,
            "cow_letter": letter,
            "fips": fips.get(iso3),
            "is_historical": bool(r["obsolete"]) and iso3 not in {"CHI"},
            "start_year": start,
            "end_year": end,
            "predecessor": predecessor,
            "variants": [*_pycountry_names(iso3), *VARIANTS.get(iso3, [])],
        }
    for h in HISTORICAL:
        iso3 = str(h["iso3"])
        rows[iso3] = {
            "iso3": iso3,
            "iso2": h["iso2"],
            "isonum": h["isonum"],
            "name": h["name"],
            "official_name": h["official_name"],
            "un_region": REGION_OF[str(h["sub"])],
            "un_subregion": h["sub"],
            "gw": h["gw"],
            "cow": h["cow"],
            "cow_letter": h["cow_letter"],
            "fips": h["fips"],
            "is_historical": True,
            "start_year": h["start"],
            "end_year": h["end"],
            "predecessor": h.get("predecessor"),
            "variants": [*_pycountry_names(iso3), *h["variants"], *VARIANTS.get(iso3, [])],  # type: ignore[misc]
        }
    missing = sorted(set(cow) - set(rows)) + sorted(set(fips) - set(rows))
    if missing:
        raise SystemExit(f"codes for countries not in the table: {missing}")
    for row in rows.values():
        seen: list[str] = []
        for v in row["variants"]:  # type: ignore[attr-defined]
            if v not in seen and v != row["name"]:
                seen.append(v)
        row["variants"] = "|".join(seen)
    return [rows[k] for k in sorted(rows)]


def main() -> None:
    rows = build_rows()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "" if v is None else v for k, v in row.items()})
    sys.stderr.write(f"wrote {len(rows)} countries to {OUT}\n")


if __name__ == "__main__":
    main()
