"""No field kept that no page or file uses: other first names are read from SIECLE and
dropped; sex and birth place stay because the Pix Certif candidate list needs them."""

from __future__ import annotations

import random

from establishments.imports import PUPIL_FIELDS, pupil_base_import
from establishments.models import Pupil
from pix.fakes import fake_establishment_pupils
from pix.pupils import read_pupil_base, write_siecle_xml
from tests.conftest import make_establishment


def test_other_first_names_are_read_and_not_kept(db):
    # given a SIECLE file whose pupils have second and third first names
    establishment = make_establishment("0170555X", "Collège Prénoms")
    year = establishment.current_year.start_year
    rows = fake_establishment_pupils([("5A", "5e", 25)], school_year=year,
                                     rng=random.Random(4))
    data = write_siecle_xml(rows, uai=establishment.uai, school_year=year)
    others = {name for row in rows for name in row.other_first_names.split()}
    assert others and "PRENOM2" in data.decode("utf-8", "replace")
    assert {r.other_first_names for r in read_pupil_base(data, filename="s.xml").rows} != {""}

    # when it is imported
    report = pupil_base_import(establishment=establishment, data=data, filename="s.xml")

    # then no pupil row holds them: neither a field nor a value
    assert report.ok
    assert "other_first_names" not in {f.name for f in Pupil._meta.get_fields()}
    assert "other_first_names" not in PUPIL_FIELDS
    first_names = {row.first_name for row in rows}
    stored = {str(value) for values in Pupil.objects.filter(establishment=establishment)
              .values() for value in values.values()}
    assert not (others - first_names) & stored


def test_sex_and_birth_place_are_kept_for_the_pix_certif_candidate_list():
    assert {"sex", "birth_place", "birthdate"} <= set(PUPIL_FIELDS)


def test_the_jury_comment_of_a_certification_is_read_and_not_kept(world):
    # given a Pix Certif results file with a jury comment on a pupil
    from certification.models import CertificationResult
    from tests.certification.results_world import as_candidate, cert_row, files_of, import_files

    pupil = world.pupil
    comment = "Candidat sorti de la salle pendant 20 minutes"
    row = cert_row(as_candidate(pupil, "5A"), number="900001", status="cancelled",
                   comment=comment)
    assert comment.encode() in next(iter(files_of({"5A": [row]}).values()))

    # when it is imported
    import_files(world.establishment, files_of({"5A": [row]}))

    # then the result is stored, its comment nowhere
    result = CertificationResult.objects.get(certification_number="900001")
    assert result.status == "cancelled"
    assert "jury_comment" not in {f.name for f in CertificationResult._meta.get_fields()}
    assert comment not in str(CertificationResult.objects.filter(pk=result.pk).values().get())
