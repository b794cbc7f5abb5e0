"""factory_boy factories that build the minimum valid object. Synthetic data only."""

import factory

from ktgs import services
from ktgs.models import Organization, User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    full_name = factory.Sequence(lambda n: f"Văn Thử {n}")
    password = factory.django.Password("mat-khau-thu-nghiem")


class OrganizationFactory(factory.Factory):
    """Builds through ktgs.services.create_organization so path and parent agree."""

    class Meta:
        model = Organization

    parent = None
    code = factory.Sequence(lambda n: f"DV{n:05d}")
    name = factory.Sequence(lambda n: f"Chi bộ thử nghiệm {n}")
    level = Organization.Level.CELL
    member_count = 20
    committee_member_count = 3
    # Required at the grassroots level (constraint org_grassroots_form), blank elsewhere.
    grassroots_form = factory.LazyAttribute(
        lambda unit: (
            Organization.GrassrootsForm.COMMITTEE
            if unit.level == Organization.Level.GRASSROOTS
            else ""
        )
    )

    @classmethod
    def _create(cls, model_class, *args, parent=None, **kwargs):
        return services.create_organization(parent=parent, **kwargs)
