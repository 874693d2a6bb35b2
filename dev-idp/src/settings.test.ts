import { describe, expect, it } from 'vitest';
import { devIdpSettings, DevIdpSettingsError } from './settings.js';

describe('devIdpSettings', () => {
  it('defaults to group names in a groups claim and JWT access tokens', () => {
    expect(devIdpSettings({})).toEqual({
      accessTokenTtl: 3600,
      groups: 'names',
      accessTokenFormat: 'jwt',
      profile: 'oidc',
      claims: 'id_token',
      userinfoSub: 'same',
      logoutReturn: 'always',
      secondFactor: 'on_request',
      logout: 'backchannel',
      audience: 'api',
      accessTokenTyp: 'at+jwt',
      par: true,
      revocation: true,
      refresh: 'rotate',
      introspection: 'full',
    });
  });

  it('reads the enterprise IdP shapes', () => {
    expect(devIdpSettings({ DEV_IDP_GROUPS: 'dns', DEV_IDP_ACCESS_TOKEN_FORMAT: 'opaque' })).toMatchObject({ groups: 'dns', accessTokenFormat: 'opaque' });
    expect(devIdpSettings({ DEV_IDP_GROUPS: 'none' }).groups).toBe('none');
    expect(devIdpSettings({ DEV_IDP_GROUPS: 'joined' }).groups).toBe('joined');
    expect(devIdpSettings({ DEV_IDP_CLAIMS: 'userinfo', DEV_IDP_USERINFO_SUB: 'other' })).toMatchObject({ claims: 'userinfo', userinfoSub: 'other' });
    expect(devIdpSettings({ DEV_IDP_LOGOUT_RETURN: 'with_state' }).logoutReturn).toBe('with_state');
    expect(devIdpSettings({ DEV_IDP_LOGOUT: 'frontchannel' }).logout).toBe('frontchannel');
    expect(() => devIdpSettings({ DEV_IDP_LOGOUT: 'iframe' })).toThrow(DevIdpSettingsError);
    expect(
      devIdpSettings({
        DEV_IDP_AUDIENCE: 'scope',
        DEV_IDP_ACCESS_TOKEN_TYP: 'JWT',
        DEV_IDP_PAR: 'off',
        DEV_IDP_REVOCATION: 'off',
        DEV_IDP_REFRESH: 'reuse',
        DEV_IDP_INTROSPECTION: 'minimal',
      }),
    ).toMatchObject({ audience: 'scope', accessTokenTyp: 'JWT', par: false, revocation: false, refresh: 'reuse', introspection: 'minimal' });
    expect(() => devIdpSettings({ DEV_IDP_PAR: 'maybe' })).toThrow(DevIdpSettingsError);
    expect(devIdpSettings({ DEV_IDP_USERINFO_SUB: 'other_after_first' }).userinfoSub).toBe('other_after_first');
  });

  it('reads when the second factor is asked, on request by default', () => {
    expect(devIdpSettings({}).secondFactor).toBe('on_request');
    expect(devIdpSettings({ DEV_IDP_SECOND_FACTOR: 'always' }).secondFactor).toBe('always');
    expect(devIdpSettings({ DEV_IDP_SECOND_FACTOR: 'ignore' }).secondFactor).toBe('ignore');
    expect(() => devIdpSettings({ DEV_IDP_SECOND_FACTOR: 'sometimes' })).toThrow(DevIdpSettingsError);
  });

  it('reads the FAPI 2.0 profile', () => {
    expect(devIdpSettings({ DEV_IDP_PROFILE: 'fapi2' }).profile).toBe('fapi2');
    expect(() => devIdpSettings({ DEV_IDP_PROFILE: 'fapi1' })).toThrow(DevIdpSettingsError);
  });

  it('names every wrong variable at once', () => {
    try {
      devIdpSettings({ DEV_IDP_GROUPS: 'ldap', DEV_IDP_ACCESS_TOKEN_FORMAT: 'jwe', DEV_IDP_ACCESS_TOKEN_TTL: '0' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DevIdpSettingsError);
      expect((error as DevIdpSettingsError).problems.map((p) => p.split(':')[0]).sort()).toEqual([
        'DEV_IDP_ACCESS_TOKEN_FORMAT',
        'DEV_IDP_ACCESS_TOKEN_TTL',
        'DEV_IDP_GROUPS',
      ]);
    }
  });
});
