import type { Me } from '../../api/types';
import { Audit } from './Audit';
import { Channels } from './Channels';
import { Labels } from './Labels';
import { Roles } from './Roles';
import { Users } from './Users';

/** Admin is a separate chunk: most people never open these screens, so the inbox does not pay for them. */
export default function Admin({ page, me }: { page: 'users' | 'roles' | 'channels' | 'audit' | 'labels'; me: Me }) {
  switch (page) {
    case 'users':
      return <Users me={me} />;
    case 'roles':
      return <Roles />;
    case 'channels':
      return <Channels me={me} />;
    case 'audit':
      return <Audit />;
    case 'labels':
      return <Labels />;
  }
}
