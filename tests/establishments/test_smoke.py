import pytest
from django.urls import reverse


@pytest.mark.parametrize("role", ["rupn", "direction", "teacher", "pupil"])
def test_home_answers_for_every_role(world, login, role):
    response = login(world.member(role)).get(reverse("home"))
    assert response.status_code == 200
