"""Language codes: Whisper speaks ISO 639-1, ElevenLabs' speech to text ISO 639-3."""

from __future__ import annotations

from voicer.errors import InvalidInput

# Every language Whisper knows, ISO 639-1 (Whisper's own for the few without one) → ISO 639-3.
_PAIRS = """
af:afr am:amh ar:ara as:asm az:aze ba:bak be:bel bg:bul bn:ben bo:bod br:bre bs:bos ca:cat
cs:ces cy:cym da:dan de:deu el:ell en:eng es:spa et:est eu:eus fa:fas fi:fin fo:fao fr:fra
gl:glg gu:guj ha:hau haw:haw he:heb hi:hin hr:hrv ht:hat hu:hun hy:hye id:ind is:isl it:ita
ja:jpn jw:jav ka:kat kk:kaz km:khm kn:kan ko:kor la:lat lb:ltz ln:lin lo:lao lt:lit lv:lav
mg:mlg mi:mri mk:mkd ml:mal mn:mon mr:mar ms:msa mt:mlt my:mya ne:nep nl:nld nn:nno no:nor
oc:oci pa:pan pl:pol ps:pus pt:por ro:ron ru:rus sa:san sd:snd si:sin sk:slk sl:slv sn:sna
so:som sq:sqi sr:srp su:sun sv:swe sw:swa ta:tam te:tel tg:tgk th:tha tk:tuk tl:tgl tr:tur
tt:tat uk:ukr ur:urd uz:uzb vi:vie yi:yid yo:yor zh:zho yue:yue
"""
ISO_639_3 = dict(pair.split(":", 1) for pair in _PAIRS.split())
_FROM_639_3 = {three: two for two, three in ISO_639_3.items()}


def whisper_language(code: str | None, field: str = "language_code") -> str | None:
    """The Whisper language for an ISO 639-1 or 639-3 ``code`` (None: detect it)."""
    if code is None or not code.strip():
        return None
    code = code.strip().lower()
    if code in ISO_639_3:
        return code
    if code in _FROM_639_3:
        return _FROM_639_3[code]
    raise InvalidInput(field, f"{field} {code!r} is not a language the recognizer knows; give an "
                              "ISO 639-1 or 639-3 code (en, eng, ru, rus, ...) or leave it out")


def iso_639_3(code: str) -> str:
    return ISO_639_3.get(code, code)
