"""A small SDN.CSV and ALT.CSV in OFAC's published format, as the bytes OFAC serves.

What the real files do and these copy: no header row; quoted fields; `-0- ` (with its
trailing space) for an empty field; individuals as "LAST, First Middle", entities plain and
with an empty type; programme lists as "DPRK3] [DPRK4" (the outer brackets of
"[DPRK3] [DPRK4]" stripped) or "DPRK2; CYBER2"; digital currency addresses and a.k.a.s in the
remarks; Windows-1252 text (É, Ü); CRLF line ends; and a lone \\x1a (DOS end of file) as the
last line. The people and companies are the designations THREATS.md lists; the entry
numbers, dates and wallet addresses are made up.
"""

NULL = "-0- "


def sdn_row(ent_num: int, name: str, sdn_type: str = NULL, programs: str = NULL, *,
            title: str = NULL, vess_type: str = NULL, vess_flag: str = NULL,
            remarks: str = NULL) -> str:
    """One SDN.CSV line: the entry number bare, every other field quoted."""
    fields = [name, sdn_type, programs, title, NULL, vess_type, NULL, NULL, vess_flag, NULL,
              remarks]
    return f"{ent_num}," + ",".join(f'"{field}"' for field in fields)


SDN_ROWS = [
    # Not a North Korea programme: kept only with all_programs. As published:
    ('36,"AEROCARIBBEAN AIRLINES","-0- ","CUBA","-0- ","-0- ","-0- ","-0- ","-0- ","-0- ",'
     '"-0- ","-0- "'),
    sdn_row(91001, "KIM, Sang Man", "individual", "DPRK3", title="CEO", remarks=(
        "DOB 17 Feb 1971; nationality Korea, North; Gender Male; Digital Currency Address - "
        "XBT 1Fq2yZ7rWk9tNpB3xHcVdL5mQe8sJu4aGk; alt. Digital Currency Address - ETH "
        "0x7F367cC41522cE07553e823bf3be79A889DEbe1B; Secondary sanctions risk: North Korea "
        "Sanctions Regulations, sections 510.201 and 510.210.")),
    sdn_row(91002, "CHINYONG INFORMATION TECHNOLOGY COOPERATION COMPANY", NULL,
            "DPRK3] [DPRK4", remarks=("Pyongyang, Korea, North; Organization Type: Computer "
                                      "programming activities.")),
    sdn_row(91003, "JONG, Song Hwa", "individual", "DPRK2; CYBER2",
            remarks="DOB 1979; nationality Korea, North."),
    sdn_row(91004, "YANBIAN SILVERSTAR NETWORK TECHNOLOGY CO., LTD.", NULL, "DPRK2",
            remarks="a.k.a. 'CHINA SILVER STAR'; Yanji, Jilin, China."),
    sdn_row(91005, "ANDREYEV, Vitaliy Sergeyevich", "individual", "DPRK3",
            remarks="DOB 1971; nationality Russia; Gender Male."),
    sdn_row(91006, "KIM, Min Ho", "individual", "DPRK-NKSPEA"),
    sdn_row(91007, "KOREA OSONG SHIPPING CO", NULL, "DPRK", remarks="Vientiane, Laos."),
    sdn_row(91008, "CHON MA SAN", "vessel", "DPRK4", vess_type="Oil Tanker",
            vess_flag="Korea, North",
            remarks="Vessel Registration Identification IMO 8660313."),
    sdn_row(91012, "HONG, Ok Ryong", "individual", "DPRK3"),
    sdn_row(91013, "MIKHAILOV, Yuriy Igorevich", "individual", "DPRK3"),
    # Other programmes, with Windows-1252 letters: kept only with all_programs.
    sdn_row(91009, "MÜLLER, Jürgen", "individual", "SDGT"),
    sdn_row(91010, "ZHANG, Wei", "individual", "CYBER2"),
]

ALT_ROWS = [
    '36,101,"aka","AERO-CARIBBEAN","-0- "',
    '91002,102,"aka","JINYONG IT COOPERATION COMPANY","-0- "',
    '91003,103,"aka","CHONG, Song-hwa","-0- "',
    '91005,104,"aka","ANDRÉEV, Vitalij","-0- "',
    '91004,105,"fka","VOLASYS SILVER STAR","-0- "',
]

XBT = "1Fq2yZ7rWk9tNpB3xHcVdL5mQe8sJu4aGk"
ETH = "0x7F367cC41522cE07553e823bf3be79A889DEbe1B"


def as_published(rows: list[str]) -> bytes:
    """The rows as OFAC serves them: CRLF, Windows-1252, \\x1a on the last line."""
    return ("\r\n".join(rows) + "\r\n\x1a").encode("cp1252")


SDN_BYTES = as_published(SDN_ROWS)
ALT_BYTES = as_published(ALT_ROWS)
SDN_TEXT = SDN_BYTES.decode("cp1252")
ALT_TEXT = ALT_BYTES.decode("cp1252")

# Another edition of the list: KIM, Sang Man delisted, a new designation.
SDN_NEXT_ROWS = [row for row in SDN_ROWS if not row.startswith("91001,")] + [
    sdn_row(91011, "SIM, Hyon Sop", "individual", "DPRK3",
            remarks="Korea Kwangson Banking Corp."),
]
SDN_NEXT_TEXT = as_published(SDN_NEXT_ROWS).decode("cp1252")
