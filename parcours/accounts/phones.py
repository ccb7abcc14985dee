"""French phone numbers, overseas included: phonenumbers with region FR alone refuses 0692…, 0690…"""

import phonenumbers
from phonenumbers import PhoneNumberType

# Overseas first: FR's loose metadata would read 0596… (Martinique) as a metropolitan number.
FRENCH_REGIONS = ("RE", "GP", "MQ", "GF", "YT", "PM", "NC", "PF", "WF", "FR")
MOBILE_TYPES = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}
LANDLINE_TYPES = {PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE, PhoneNumberType.VOIP}


class PhoneError(ValueError):
    pass


def phone_parse(value: str, *, mobile: bool) -> str:
    """Return the number in E.164, or raise PhoneError with a message for the person."""
    for region in FRENCH_REGIONS:
        try:
            number = phonenumbers.parse(value, region)
        except phonenumbers.NumberParseException:
            continue
        if not phonenumbers.is_valid_number(number):
            continue
        if phonenumbers.region_code_for_number(number) not in FRENCH_REGIONS:
            raise PhoneError("Saisissez un numéro français, outre-mer compris.")
        kind = phonenumbers.number_type(number)
        if mobile and kind not in MOBILE_TYPES:
            raise PhoneError("Ce numéro n'est pas un numéro de téléphone portable.")
        if not mobile and kind not in LANDLINE_TYPES:
            raise PhoneError("Ce numéro n'est pas un numéro de téléphone fixe.")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    raise PhoneError("Ce numéro de téléphone n'est pas valide. Exemple : 01 22 33 44 55.")


def phone_display(e164: str) -> str:
    if not e164:
        return ""
    number = phonenumbers.parse(e164)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
