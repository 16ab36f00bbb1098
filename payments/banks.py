"""The banks of Toss Payments' two-digit bank codes (virtualAccount.bankCode), by the names bookers know."""

from django.utils.translation import gettext_lazy as _

BANKS = {
    "02": _("KDB Korea Development Bank"),
    "03": _("IBK Industrial Bank of Korea"),
    "06": _("KB Kookmin Bank"),
    "07": _("Suhyup Bank"),
    "11": _("NH NongHyup Bank"),
    "12": _("Local NongHyup"),
    "20": _("Woori Bank"),
    "23": _("SC First Bank"),
    "27": _("Citibank Korea"),
    "31": _("iM Bank (DGB)"),
    "32": _("Busan Bank"),
    "34": _("Kwangju Bank"),
    "35": _("Jeju Bank"),
    "37": _("Jeonbuk Bank"),
    "39": _("Kyongnam Bank"),
    "45": _("Saemaeul Geumgo"),
    "48": _("Shinhyup"),
    "50": _("Savings bank"),
    "64": _("Korea Forestry Cooperatives"),
    "71": _("Korea Post"),
    "81": _("Hana Bank"),
    "88": _("Shinhan Bank"),
    "89": _("K Bank"),
    "90": _("Kakao Bank"),
    "92": _("Toss Bank"),
}


def bank_name(code: str) -> str:
    """The bank's name, or its code when Toss sends one this list does not know."""
    return str(BANKS.get(code, code))
